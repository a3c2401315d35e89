'use strict';
/**
 * The two credentials every real-n8n run needs, pointing at a local sandbox: one place for their
 * shape, so the suites, `npm start` and the benches cannot drift apart.
 *
 *   const creds = await createSandboxCredentials(n8n, { baseUrl, sendCloudAppKey });
 *   creds.smsRouteApi   // { id, name }, ready for a node's `credentials`
 *   creds.sendCloudSmsHookApi   // only when sendCloudAppKey is given
 *
 * `upsert: true` reuses credentials of the same name (npm start keeps its n8n between runs).
 */
const { DEFAULT_TEST_KEY, DEFAULT_LIVE_KEY } = require('../sandbox/server');

const ref = (c) => ({ id: c.id, name: c.name });

async function createSandboxCredentials(
	n8n,
	{
		baseUrl,
		sendCloudAppKey,
		keys = { test: DEFAULT_TEST_KEY, live: DEFAULT_LIVE_KEY },
		names = { smsRouteApi: 'smsroute sandbox', sendCloudSmsHookApi: 'SendCloud sandbox' },
		upsert = false,
	},
) {
	const save = (credential) =>
		upsert ? n8n.upsertCredential(credential) : n8n.createCredential(credential);
	const out = {};
	out.smsRouteApi = ref(
		await save({
			name: names.smsRouteApi,
			type: 'smsRouteApi',
			data: { environment: 'test', testApiKey: keys.test, liveApiKey: keys.live, baseUrl },
		}),
	);
	if (sendCloudAppKey !== undefined) {
		out.sendCloudSmsHookApi = ref(
			await save({
				name: names.sendCloudSmsHookApi,
				type: 'sendCloudSmsHookApi',
				data: { appKey: sendCloudAppKey },
			}),
		);
	}
	return out;
}

module.exports = { createSandboxCredentials };
