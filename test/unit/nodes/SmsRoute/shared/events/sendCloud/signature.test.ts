import {
	extractSendCloudFields,
	verifySendCloudSignature,
} from '../../../../../../../nodes/SmsRoute/shared/events/sendCloud/signature';
import { sendCloudSignature } from '../../../../../../helpers/triggerWebhook';

describe('SendCloud signature', () => {
	const appKey = 'app_key_1';
	it('verifies HMAC-SHA256(appKey, timestamp + token) computed by openssl', () => {
		const timestamp = 1652150994087;
		const token = 'VDymF6ihuJkKZjHiJZkLKGmY6q9qAQ2WGopLh7mBsDeAO6GKV5';
		const signature = sendCloudSignature(appKey, timestamp, token);
		const fields = extractSendCloudFields({ timestamp, token, signature });
		expect(fields.ok).toBe(true);
		if (!fields.ok) return;
		const ok = verifySendCloudSignature({
			appKey,
			...fields,
			toleranceSeconds: 300,
			nowMs: timestamp,
		});
		expect(ok).toEqual({ ok: true });
		const badLength = verifySendCloudSignature({
			appKey,
			fields: { ...fields.fields, signature: signature.slice(2) },
			timestampMs: fields.timestampMs,
			toleranceSeconds: 300,
			nowMs: timestamp,
		});
		expect(badLength).toEqual({ ok: false, reason: 'signature mismatch' });
	});

	it('accepts the timestamp as a string (form bodies) and refuses non-numeric ones', () => {
		expect(
			extractSendCloudFields({ timestamp: '1652150994087', token: 't', signature: 's' }).ok,
		).toBe(true);
		expect(extractSendCloudFields({ timestamp: '16521x', token: 't', signature: 's' }).ok).toBe(
			false,
		);
		expect(extractSendCloudFields({ token: 't', signature: 's' }).ok).toBe(false);
	});
});
