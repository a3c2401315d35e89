'use strict';
/**
 * Development only: the one sandbox call that sends a signed event of one provider to a trigger's
 * Test URL, for a machine running `npm start` (no smsroute account). npm start's banner and
 * docs/development.md show it; the published trigger's notice tells a user of a real
 * account what to do instead (nodes/SmsRoute/trigger/testEventNotice.ts).
 */
const { DEFAULT_PORT } = require('./config');

/** Where `npm start` runs the sandbox (SMSROUTE_SANDBOX_PORT changes it). */
const DEFAULT_SANDBOX_URL = `http://127.0.0.1:${DEFAULT_PORT}`;

/** Stands for the Test URL: the editor shows it, only the user can paste it. */
const TEST_URL_PLACEHOLDER = 'PASTE_THE_TEST_URL';

/** @param {'smsroute' | 'sendcloud'} mode */
function testEventCommand(mode, url = TEST_URL_PLACEHOLDER, sandboxUrl = DEFAULT_SANDBOX_URL) {
	const body = JSON.stringify({ mode, status: 'delivered', url });
	return `curl -X POST ${sandboxUrl}/__sandbox/webhooks/emit -H 'content-type: application/json' -d '${body}'`;
}

module.exports = { DEFAULT_SANDBOX_URL, TEST_URL_PLACEHOLDER, testEventCommand };
