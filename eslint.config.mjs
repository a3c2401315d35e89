// The rule sets n8n's community-package scanner applies: eslint-plugin-n8n-nodes-base
// (community, credentials, nodes) and @n8n/eslint-plugin-community-nodes (recommended).
import tsParser from '@typescript-eslint/parser';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import jsoncParser from 'jsonc-eslint-parser';
import js from '@eslint/js';

const legacy = (cfg) => cfg.rules;

// One house (issue 20): the action node and the trigger share nodes/SmsRoute/shared/ and never
// import each other; shared/ imports neither; transport/ (every smsroute request) imports only
// shared/ (issue 34); no layer imports credentials/, which imports shared/smsRouteCredential.ts.
// A file matched by two entries gets the last one's rule, so transport's lists everything.
// test/release/layers.test.js proves each rule bites.
const ACTION_SIDE = ['actions', 'sending', 'transport', 'waitForDelivery'];
const CREDENTIALS = ['**/credentials', '**/credentials/**'];
const layers = [
	{
		files: ['nodes/SmsRoute/trigger/**/*.ts', 'nodes/SmsRoute/SmsRouteTrigger.node.ts'],
		forbidden: [
			...ACTION_SIDE.flatMap((d) => [`**/${d}`, `**/${d}/**`]),
			'**/SmsRoute.node',
			...CREDENTIALS,
		],
		message: 'The trigger imports nodes/SmsRoute/shared/, never the action node.',
	},
	{
		files: [
			...ACTION_SIDE.map((d) => `nodes/SmsRoute/${d}/**/*.ts`),
			'nodes/SmsRoute/SmsRoute.node.ts',
		],
		forbidden: ['**/trigger', '**/trigger/**', '**/SmsRouteTrigger.node', ...CREDENTIALS],
		message: 'The action node imports nodes/SmsRoute/shared/, never the trigger.',
	},
	{
		files: ['nodes/SmsRoute/transport/**/*.ts'],
		forbidden: [
			...[...ACTION_SIDE.filter((d) => d !== 'transport'), 'trigger'].flatMap((d) => [
				`**/${d}`,
				`**/${d}/**`,
			]),
			'**/*.node',
			...CREDENTIALS,
		],
		message: 'transport/ (every smsroute request) imports only nodes/SmsRoute/shared/.',
	},
	{
		files: ['nodes/SmsRoute/shared/**/*.ts'],
		forbidden: [
			...[...ACTION_SIDE, 'trigger'].flatMap((d) => [`**/${d}`, `**/${d}/**`]),
			'**/*.node',
			...CREDENTIALS,
		],
		message: 'shared/ serves both nodes and imports neither.',
	},
].map(({ files, forbidden, message }) => ({
	files,
	rules: { 'no-restricted-imports': ['error', { patterns: [{ group: forbidden, message }] }] },
}));

export default [
	{ ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
	{
		files: ['package.json'],
		languageOptions: { parser: jsoncParser },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: legacy(n8nNodesBase.configs.community),
	},
	{
		files: ['credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...legacy(n8nNodesBase.configs.credentials),
			// The rule itself says it applies only to n8n's own repository, whose docs URLs are
			// slugs; a community package links a full URL, which can never be camelCase.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...legacy(n8nNodesBase.configs.nodes),
			// These two predate NodeConnectionTypes and want the string 'main', which the
			// community plugin's node-connection-type-literal rule forbids; the newer rule wins.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
		...communityNodes.configs.recommended,
		ignores: [],
	},
	...layers,
	{
		// Tests: eslint's recommended rules, not the node rules. TypeScript itself (tsconfig:
		// strict, noUnusedLocals) covers what no-undef, no-unused-vars and no-redeclare would
		// misreport on type-only names.
		files: ['test/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		rules: {
			...js.configs.recommended.rules,
			'no-undef': 'off',
			'no-unused-vars': 'off',
			'no-redeclare': 'off',
			eqeqeq: ['error', 'always', { null: 'ignore' }],
			'no-var': 'error',
			'prefer-const': 'error',
			'no-self-compare': 'error',
			'no-template-curly-in-string': 'error',
			'object-shorthand': 'error',
			'no-useless-rename': 'error',
		},
	},
];
