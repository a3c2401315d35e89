'use strict';
// The editor's "Docs" links (codex files, credentials' documentationUrl) must land on the README
// section about that node or credential: a renamed heading silently breaks them otherwise.
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const read = (p) => fs.readFileSync(path.join(ROOT, p), 'utf8');
const pkg = JSON.parse(read('package.json'));
const README_URL = pkg.homepage.replace(/#readme$/, '');

/** GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens, -1/-2 for repeats. */
function githubAnchors(markdown) {
	const seen = new Map();
	const anchors = new Map();
	let fenced = false;
	for (const line of markdown.split('\n')) {
		if (/^(```|~~~)/.test(line)) fenced = !fenced;
		const m = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!m) continue;
		const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
		const base = text
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const n = seen.get(base) ?? 0;
		seen.set(base, n + 1);
		anchors.set(n ? `${base}-${n}` : base, m[1]);
	}
	return anchors;
}

const anchors = githubAnchors(read('README.md'));
const headingOf = (url) => {
	expect(url.startsWith(`${README_URL}#`)).toBe(true);
	return anchors.get(url.slice(README_URL.length + 1));
};
const credentialUrl = (file) => /documentationUrl =\s*'([^']+)'/.exec(read(file))[1];

test('the anchor function matches GitHub for the headings we link to', () => {
	expect(
		githubAnchors('## SMS Route API (`smsRouteApi`)\n## A\n## A\n```\n## not a heading\n```').has(
			'sms-route-api-smsrouteapi',
		),
	).toBe(true);
	expect([...githubAnchors('## A\n## A').keys()]).toEqual(['a', 'a-1']);
	expect(githubAnchors('```\n## in code\n```').size).toBe(0);
});

test.each([
	[
		'nodes/SmsRoute/SmsRoute.node.json',
		'n8n-nodes-smsroute.smsRoute',
		'SMS Route action node',
		['SMS Route API (`smsRouteApi`)'],
	],
	[
		'nodes/SmsRoute/SmsRouteTrigger.node.json',
		'n8n-nodes-smsroute.smsRouteTrigger',
		'SMS Route Trigger',
		['SMS Route API (`smsRouteApi`)', 'SendCloud SMSHook API (`sendCloudSmsHookApi`)'],
	],
])('%s links its README section and its credentials', (file, node, heading, credentialHeadings) => {
	const codex = JSON.parse(read(file));
	expect(codex.node).toBe(node);
	expect(codex.resources.primaryDocumentation.map((d) => headingOf(d.url))).toEqual([heading]);
	expect(codex.resources.credentialDocumentation.map((d) => headingOf(d.url))).toEqual(
		credentialHeadings,
	);
});

test.each([
	['credentials/SmsRouteApi.credentials.ts', 'SMS Route API (`smsRouteApi`)'],
	[
		'credentials/SendCloudSmsHookApi.credentials.ts',
		'SendCloud SMSHook API (`sendCloudSmsHookApi`)',
	],
])('%s documentationUrl is its README section', (file, heading) => {
	expect(headingOf(credentialUrl(file))).toBe(heading);
});
