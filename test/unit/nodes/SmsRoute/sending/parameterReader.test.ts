/**
 * createParameterReader on a collection with one expression field (Guardrails with a Sending
 * Window Time Zone of {{ $json.timeZone }}): each field is read on its own, so n8n evaluates only the
 * fields that need it, per item, and the values are those n8n gives for the whole collection.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { createParameterReader } from '../../../../../nodes/SmsRoute/sending/parameterReader';

const items: INodeExecutionData[] = [
	{ json: { timeZone: 'Europe/Berlin', cc: 'DE' } },
	{ json: { timeZone: 'Asia/Tokyo', cc: 'JP' } },
	{ json: { cc: 'FR' } },
];
const saved: IDataObject = {
	guardrails: {
		sendingWindow: '08:00-21:00',
		sendingWindowTimeZone: '={{ $json.timeZone }}',
		allowedCountries: '={{ $json.cc.toLowerCase() }}',
		maxMessagesPerExecution: 3,
	},
};

/** A stand-in for n8n's getNodeParameter with its two expression forms, counting evaluations. */
function fakeContext() {
	const evaluations: string[] = [];
	const resolve = (value: unknown, itemIndex: number): unknown => {
		if (typeof value === 'string' && value.startsWith('=')) {
			const json = items[itemIndex].json;
			if (value === '={{ $json.timeZone }}') return json.timeZone;
			if (value === '={{ $json.cc.toLowerCase() }}') return String(json.cc).toLowerCase();
			throw new Error(`unexpected expression ${value}`);
		}
		if (value && typeof value === 'object') {
			return Object.fromEntries(
				Object.entries(value).map(([key, field]) => [key, resolve(field, itemIndex)]),
			);
		}
		return value;
	};
	const context = {
		getNodeParameter(
			name: string,
			itemIndex: number,
			fallback: unknown,
			options?: { rawExpressions?: boolean },
		) {
			const raw = name.split('.').reduce<unknown>((v, key) => (v as IDataObject)?.[key], saved);
			if (options?.rawExpressions) return raw ?? fallback;
			evaluations.push(`${name}#${itemIndex}`);
			return resolve(raw, itemIndex) ?? fallback;
		},
	} as unknown as IExecuteFunctions;
	return { context, evaluations };
}

describe('createParameterReader on a collection', () => {
	it('gives per item what n8n gives for the whole collection', () => {
		const { context } = fakeContext();
		const read = createParameterReader(context, items, 'guardrails', {});
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			const whole = context.getNodeParameter('guardrails', itemIndex, {});
			expect(read(itemIndex)).toEqual(whole);
		}
		expect(read(1)).toEqual({
			sendingWindow: '08:00-21:00',
			sendingWindowTimeZone: 'Asia/Tokyo',
			allowedCountries: 'jp',
			maxMessagesPerExecution: 3,
		});
		expect((read(2) as IDataObject).sendingWindowTimeZone).toBeUndefined();
	});

	it('evaluates only the field that needs n8n, once per item, however often the item is read', () => {
		const { context, evaluations } = fakeContext();
		const read = createParameterReader(context, items, 'guardrails', {});
		evaluations.length = 0;
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			read(itemIndex);
			read(itemIndex); // the guards, then the Sending Window
		}
		expect(evaluations).toEqual([
			'guardrails.allowedCountries#0',
			'guardrails.allowedCountries#1',
			'guardrails.allowedCountries#2',
		]);
	});
});
