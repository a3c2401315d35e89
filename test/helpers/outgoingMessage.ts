import { readPhoneNumber } from '../../nodes/SmsRoute/sending/numbers/phoneNumber';
import type { OutgoingMessage } from '../../nodes/SmsRoute/sending/outgoingMessage';

/** A message as readOutgoingMessage makes it, for the number as readPhoneNumber reads it. */
export function outgoingMessage(to: string, itemIndex = 0): OutgoingMessage {
	const phone = readPhoneNumber(to, '');
	if (!phone.e164) throw new Error(`test number ${to} is invalid: ${phone.reason}`);
	return {
		itemIndex,
		to: phone.e164,
		body: 'hi',
		idempotencyKey: `k${itemIndex}`,
		estimate: { encoding: 'GSM-7', units: 2, segments: 1, nonGsmCharacters: [] },
		country: phone.country,
		numberType: phone.type,
	};
}
