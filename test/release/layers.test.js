'use strict';
// One house (issue 20): nodes/SmsRoute holds both nodes; the action side and the trigger share
// shared/ and never import each other. The rule lives in eslint.config.mjs (npm test lints); this
// proves each layer's rule refuses a crossing import and lets a shared one through.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const ROOT = path.join(__dirname, '..', '..');
const ESLINT = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

// eslint in a child process, as npm test runs it (jest cannot load the flat .mjs config).
async function restricted(file, source) {
	let out;
	try {
		out = execFileSync(
			process.execPath,
			[ESLINT, '--format', 'json', '--stdin', '--stdin-filename', file],
			{ cwd: ROOT, input: source, encoding: 'utf8' },
		);
	} catch (error) {
		out = error.stdout; // exit 1: lint errors, reported on stdout
	}
	const [result] = JSON.parse(out);
	return result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases = [
	[
		'nodes/SmsRoute/trigger/relay.ts',
		"import { router } from '../actions/router';",
		/never the action node/,
	],
	[
		'nodes/SmsRoute/trigger/relay.ts',
		"import { x } from '../waitForDelivery/waitingState';",
		/never the action node/,
	],
	[
		'nodes/SmsRoute/SmsRouteTrigger.node.ts',
		"import { SmsRoute } from './SmsRoute.node';",
		/never the action node/,
	],
	[
		'nodes/SmsRoute/waitForDelivery/resumeWebhook.ts',
		"import { relay } from '../trigger/relay';",
		/never the trigger/,
	],
	[
		'nodes/SmsRoute/actions/message/send.operation.ts',
		"import { x } from '../../trigger/dedupe';",
		/never the trigger/,
	],
	[
		'nodes/SmsRoute/SmsRoute.node.ts',
		"import { SmsRouteTrigger } from './SmsRouteTrigger.node';",
		/never the trigger/,
	],
	[
		'nodes/SmsRoute/shared/events/smsRoute/normalize.ts',
		"import { x } from '../../../trigger/dedupe';",
		/imports neither/,
	],
	[
		'nodes/SmsRoute/shared/events/smsRoute/normalize.ts',
		"import { x } from '../../../sending/numbers/phoneNumber';",
		/imports neither/,
	],
	[
		'nodes/SmsRoute/transport/messages.ts',
		"import { x } from '../sending/idempotency';",
		/imports only nodes\/SmsRoute\/shared/,
	],
	[
		'nodes/SmsRoute/transport/client.ts',
		"import { x } from '../waitForDelivery/statusLookup';",
		/imports only nodes\/SmsRoute\/shared/,
	],
	[
		'nodes/SmsRoute/transport/client.ts',
		"import { x } from '../../../credentials/SmsRouteApi.credentials';",
		/imports only nodes\/SmsRoute\/shared/,
	],
	[
		'nodes/SmsRoute/transport/smsRouteRequest.ts',
		"import { x } from '../trigger/dedupe';",
		/imports only nodes\/SmsRoute\/shared/,
	],
	[
		'nodes/SmsRoute/shared/credentialTest.ts',
		"import { x } from '../../../credentials/SmsRouteApi.credentials';",
		/imports neither/,
	],
	[
		'nodes/SmsRoute/actions/message/send.operation.ts',
		"import { x } from '../../../../credentials/SmsRouteApi.credentials';",
		/never the trigger/,
	],
];

test.each(cases)('%s may not %s', async (file, source, message) => {
	const messages = await restricted(file, `${source}\nexport const used = x;\n`);
	expect(messages).toEqual([expect.stringMatching(message)]);
});

test.each([
	[
		'nodes/SmsRoute/trigger/relay.ts',
		"import { endsWaitOn } from '../shared/events/deliveryStatus';",
	],
	[
		'nodes/SmsRoute/waitForDelivery/resumeWebhook.ts',
		"import { x } from '../shared/events/event';",
	],
	[
		'nodes/SmsRoute/shared/events/eventsFromWebhook.ts',
		"import { x } from './smsRoute/signature';",
	],
	['nodes/SmsRoute/transport/client.ts', "import { x } from '../shared/redact';"],
	['nodes/SmsRoute/transport/client.ts', "import { x } from './retryPolicy';"],
	[
		'credentials/SmsRouteApi.credentials.ts',
		"import { x } from '../nodes/SmsRoute/shared/smsRouteCredential';",
	],
])('%s may %s', async (file, source) => {
	expect(await restricted(file, `${source}\nexport const used = x;\n`)).toEqual([]);
});

test('both nodes live in one service folder, as n8n packages have it', () => {
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	expect(pkg.n8n.nodes).toEqual([
		'dist/nodes/SmsRoute/SmsRoute.node.js',
		'dist/nodes/SmsRoute/SmsRouteTrigger.node.js',
	]);
	expect(fs.readdirSync(path.join(ROOT, 'nodes'))).toEqual(['SmsRoute']);
});
