'use strict';
/**
 * Fields of the trigger's normalized event (docs/CONTRACT.md), written once for the unit tests and
 * the e2e suite, and written here rather than read from the node's code so that the tests still
 * check the contract. The unit test also expects `eventId`; the e2e suite checks these twelve.
 */
const NORMALIZED_EVENT_FIELDS = Object.freeze([
	'provider',
	'event',
	'status',
	'final',
	'messageId',
	'to',
	'occurredAt',
	'receivedAt',
	'livemode',
	'reason',
	'metadata',
	'raw',
]);

module.exports = { NORMALIZED_EVENT_FIELDS };
