import type { IDataObject } from 'n8n-workflow';

import type { NormalizedStatus } from './deliveryStatus';
import { isPlainObject } from '../objects';
import type { Result } from '../result';

/**
 * The normalized delivery event of docs/CONTRACT.md, one per message, whichever provider sent
 * it. Each event comes with a dedupe key (docs/CONTRACT.md, Duplicates) that identifies the
 * provider event independently of how it was signed or serialised.
 */

export interface NormalizedEvent extends IDataObject {
	provider: 'smsroute' | 'sendcloud';
	event: string;
	status: NormalizedStatus;
	final: boolean;
	messageId: string | null;
	to: string | null;
	occurredAt: string;
	receivedAt: string;
	livemode: boolean | null;
	reason: string | null;
	metadata: IDataObject;
	raw: IDataObject;
}

export interface KeyedEvent {
	event: NormalizedEvent;
	/** Identifies the provider event for duplicate suppression. */
	dedupeKey: string;
}

/**
 * JSON of the parts: unambiguous whatever characters the parts hold ("a|b" + "c" and
 * "a" + "b|c" stay apart), unlike joining them with a separator.
 */
export function dedupeKeyOf(parts: ReadonlyArray<string | null>): string {
	return JSON.stringify(parts);
}

export type NormalizeResult = Result<{ events: KeyedEvent[] }>;

/** Each item gets its own copy so a downstream node editing one item cannot change another. */
export function clone<T>(value: T): T {
	return JSON.parse(JSON.stringify(value)) as T;
}

export function textOrNull(value: unknown): string | null {
	if (typeof value === 'string') return value === '' ? null : value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

export function metadataFrom(value: unknown): IDataObject {
	if (isPlainObject(value)) return clone(value);
	// A JSON body may still carry customArgs as JSON text.
	if (typeof value === 'string' && value.trim().startsWith('{')) {
		try {
			const parsed = JSON.parse(value) as unknown;
			if (isPlainObject(parsed)) return parsed;
		} catch {
			// Not JSON after all: no metadata rather than a failed event.
			return {};
		}
	}
	return {};
}
