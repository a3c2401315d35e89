'use strict';
/**
 * `npm run screenshots`: takes the README screenshots of both nodes in the real n8n editor,
 * with headless Chromium (Debian's `chromium`, driven by playwright-core), against a running
 * `npm start` instance. Start that first, in another terminal:
 *
 *   npm start                       # n8n on http://127.0.0.1:5678, examples imported
 *   npm run screenshots             # writes docs/screenshots/*.png
 *
 * The Send and Wait shots need three runs of the OTP example: to +15005550001 (delivered),
 * +15005550002 (fails) and an ordinary number, +15005550009 (no event: it ends on Timed Out after
 * the example's 2-minute limit). The script starts the ones that are missing first and takes the
 * other shots meanwhile, so a first run takes about 4 minutes.
 *
 * Environment:
 *   SMSROUTE_N8N_URL        the editor (default http://127.0.0.1:5678; e.g. http://127.0.0.1:5698
 *                           when npm start ran with SMSROUTE_N8N_PORT=5698)
 *   SMSROUTE_SCREENSHOTS_DIR  output folder (default docs/screenshots)
 *   SMSROUTE_SANDBOX_URL    npm start's sandbox (default http://127.0.0.1:5055): the Retry shots
 *                           make a failed run of the bulk example with its "down until healed" fault
 *   SMSROUTE_SCREENSHOTS_ONLY  "guardrails": only the Guardrails, Sending Window and deferred shots;
 *                           "retry": only the Executions list's Retry shots
 *   CHROMIUM_PATH           the browser (default /usr/bin/chromium; installed with apt-get when missing)
 *
 * Only the n8n instance is contacted: every request to another host is aborted in the browser.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const BASE_URL = (process.env.SMSROUTE_N8N_URL || 'http://127.0.0.1:5678').replace(/\/+$/, '');
const OUT_DIR = path.resolve(
	process.env.SMSROUTE_SCREENSHOTS_DIR || path.join(ROOT, 'docs', 'screenshots'),
);
const SANDBOX_URL = (process.env.SMSROUTE_SANDBOX_URL || 'http://127.0.0.1:5055').replace(
	/\/+$/,
	'',
);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CJK_FONT = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
const OWNER = { email: 'owner@smsroute.test', password: 'SmsRoute-e2e-2024' };
const VIEWPORT = { width: 1440, height: 900 };
// The editor is a large single-page app: on a busy machine its first load can take a minute.
const TIMEOUT_MS = Number(process.env.SMSROUTE_SCREENSHOTS_TIMEOUT_MS || 180_000);

const WORKFLOWS = {
	bulk: 'SMS Route example: bulk send from a list',
	slack: 'SMS Route example: delivery events → Slack',
	retry: 'SMS Route example: failed or undelivered → retry',
	otp: 'SMS Route example: OTP, send and wait for delivery',
	guarded: 'SMS Route example: OTP from a public form, guarded',
	window: 'SMS Route example: Sending Window, deferred messages sent when the window opens',
};

// The OTP example's runs the Send and Wait shots need: how to make each (the phone number) and how
// to tell it among the executions (`prefer`).
const OTP_RUNS = [
	{
		outcome: 'Delivered',
		phone: '+15005550001',
		wait: ', wait a second',
		outputNode: 'OTP delivered',
		file: 'execution-send-and-wait-delivered.png',
		prefer: (d) => d.includes('"delivered"') && !d.includes('"notDelivered"'),
	},
	{
		outcome: 'Not Delivered',
		phone: '+15005550002',
		wait: ', wait a second',
		outputNode: 'Not delivered: send to the backup number and wait',
		file: 'execution-send-and-wait-not-delivered.png',
		prefer: (d) => d.includes('"notDelivered"'),
	},
	{
		outcome: 'Timed Out',
		phone: '+15005550009',
		wait: ' (no delivery event: it times out), wait 3 minutes',
		outputNode: 'Timed out: look up the status',
		file: 'execution-send-and-wait-timed-out.png',
		prefer: (d) => d.includes('"timedOut"'),
	},
];

// The trigger's credential fields (displayName in its description).
const TRIGGER_CREDENTIAL_LABELS = [
	'smsroute API Key (verifies smsroute webhooks)',
	'SendCloud App Key (verifies SMSHook callbacks)',
];

const log = (line) => process.stdout.write(`[screenshots] ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The project installs what it needs: Debian's chromium when it is missing, and a font with
 * CJK punctuation (the trigger's notice names SendCloud's 【SMSHook】 menu; without such a font
 * headless Chromium draws empty boxes there).
 */
function ensureChromium() {
	const packages = [];
	if (!fs.existsSync(CHROMIUM)) {
		if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${CHROMIUM} does not exist`);
		packages.push('chromium');
	}
	if (!fs.existsSync(CJK_FONT)) packages.push('fonts-wqy-microhei');
	if (!packages.length) return;
	log(`installing ${packages.join(' and ')} with apt-get (Debian packages; about a minute)…`);
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	const run = (args) => {
		const [cmd, ...rest] = root ? args : ['sudo', ...args];
		const r = spawnSync(cmd, rest, {
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		});
		if (r.error || r.status !== 0) {
			throw new Error(
				`"${[cmd, ...rest].join(' ')}" failed (${r.error?.message ?? `exit ${r.status}`}); ` +
					`install ${packages.join(' ')} yourself, or set CHROMIUM_PATH`,
			);
		}
	};
	run(['apt-get', 'update']);
	run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages]);
	if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get ran, but ${CHROMIUM} is still missing`);
	log(`installed ${packages.join(' and ')}`);
}

async function checkInstance() {
	let status;
	try {
		status = (await fetch(`${BASE_URL}/healthz/readiness`)).status;
	} catch (error) {
		status = error.cause?.code ?? error.message;
	}
	if (status !== 200) {
		throw new Error(
			`no n8n answers at ${BASE_URL} (${status}). Start it first with "npm start" ` +
				'(and set SMSROUTE_N8N_URL when you changed its port).',
		);
	}
}

/** Counts the page's requests in flight (not the push connection), for settle(). */
function trackRequests(page) {
	const inFlight = new Set();
	const counts = (req) =>
		!/\/rest\/push\b/.test(req.url()) && !['eventsource', 'websocket'].includes(req.resourceType());
	page.on('request', (req) => counts(req) && inFlight.add(req));
	page.on('requestfinished', (req) => inFlight.delete(req));
	page.on('requestfailed', (req) => inFlight.delete(req));
	page.inFlight = inFlight;
}

const SPINNERS = [
	'.el-loading-mask',
	'.el-loading-spinner',
	'.el-skeleton',
	'[data-test-id="loading"]',
	'[data-test-id*="spinner"]',
	'[class*="spinner"]',
	'[class*="Spinner"]',
	'.n8n-loading',
].join(', ');

/**
 * Waits until the editor is still: no request in flight for a moment, no visible spinner or
 * skeleton, then a short pause for animations (panels sliding in, the canvas fitting).
 */
async function settle(page, { quietMs = 700, maxMs = 60_000 } = {}) {
	const deadline = Date.now() + maxMs;
	let idleSince = 0;
	for (;;) {
		const busy = await page.locator(SPINNERS).evaluateAll((els) =>
			els
				.filter((el) => {
					const r = el.getBoundingClientRect();
					if (r.width === 0 || r.height === 0) return false;
					if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true }))
						return false;
					// A canvas node's own status slot (its run state is waited for explicitly), and the
					// run button's, which spins while a run waits (the Sending Window example's Wait).
					return !el.closest(
						'[data-test-id="canvas-node"], [data-test-id="execute-workflow-button"], [data-test-id="node-execute-button"]',
					);
				})
				.map((el) => el.className || el.tagName),
		);
		const quiet = busy.length === 0 && (page.inFlight?.size ?? 0) === 0;
		if (quiet) {
			idleSince ||= Date.now();
			if (Date.now() - idleSince >= 500) break;
		} else {
			idleSince = 0;
		}
		if (Date.now() > deadline) {
			log(
				`warning: the editor did not settle in ${maxMs / 1000} s (spinners: ${busy.join(' | ') || 'none'}; requests: ${page.inFlight?.size ?? 0})`,
			);
			break;
		}
		await sleep(100);
	}
	await sleep(quietMs);
}

/** Closes first-run modals, drawers, toasts and banners that would cover the editor. */
async function dismissOverlays(page) {
	for (let round = 0; round < 3; round++) {
		let closed = 0;
		const candidates = [
			'.el-overlay:visible .el-drawer__close-btn',
			'.el-overlay:visible .el-dialog__headerbtn',
			'[data-test-id="close-chat-button"]:visible',
			'[data-test-id="suggested-actions-close"]:visible',
			'.el-notification:visible .el-notification__closeBtn',
			'[data-test-id="banner-stack"] [data-test-id="banner-close"]:visible',
			'[data-test-id="banners-close"]:visible',
		];
		for (const selector of candidates) {
			for (const button of await page.locator(selector).all()) {
				try {
					await button.click({ timeout: 2000 });
					closed++;
				} catch {
					/* gone already */
				}
			}
		}
		if (!closed) break;
		await sleep(400);
	}
}

async function signIn(page) {
	log(`signing in at ${BASE_URL}/signin as ${OWNER.email}`);
	await page.goto(`${BASE_URL}/signin`, { waitUntil: 'commit' });
	const email = page.locator('input[name="emailOrLdapLoginId"]');
	await email.waitFor({ state: 'visible' });
	await email.fill(OWNER.email);
	await page.locator('input[name="password"]').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: TIMEOUT_MS });
	await settle(page);
	await dismissOverlays(page);
}

/** The editor's own REST API, with the session and browser id of the signed-in page. */
async function rest(page, p) {
	const result = await page.evaluate(async (p) => {
		const res = await fetch(`/rest${p}`, {
			headers: {
				accept: 'application/json',
				'browser-id': localStorage.getItem('n8n-browserId') ?? '',
			},
		});
		return { status: res.status, text: await res.text() };
	}, p);
	if (result.status !== 200)
		throw new Error(`GET /rest${p} → HTTP ${result.status}: ${result.text.slice(0, 500)}`);
	return JSON.parse(result.text).data;
}

async function findWorkflow(page, name) {
	const data = await rest(
		page,
		`/workflows?filter=${encodeURIComponent(JSON.stringify({ name }))}`,
	);
	const list = Array.isArray(data) ? data : (data?.items ?? data?.data ?? []);
	const found = list.find((w) => w.name === name && !w.isArchived);
	if (!found) throw new Error(`workflow "${name}" not found: did "npm start" import the examples?`);
	return found;
}

/**
 * Waits for the visible images (node icons) to load; one that failed (the panel's icon, now and
 * then, on a busy machine) is asked for again, so no shot shows a broken image.
 */
async function imagesLoaded(page) {
	const broken = () =>
		page.evaluate(() =>
			[...document.images]
				.filter((img) => img.src && img.checkVisibility())
				.filter((img) => !img.complete || img.naturalWidth === 0)
				.map((img) => img.src),
		);
	for (let attempt = 0; attempt < 20; attempt++) {
		const pending = await broken();
		if (!pending.length) return;
		if (attempt % 5 === 4) {
			await page.evaluate(() => {
				for (const img of document.images) {
					if (!img.complete || img.naturalWidth > 0 || !img.src) continue;
					const src = img.src;
					img.removeAttribute('src');
					img.src = src;
				}
			});
		}
		await sleep(500);
	}
	log(`warning: images that did not load: ${(await broken()).join(', ')}`);
}

async function shot(page, file, what) {
	await settle(page);
	await dismissOverlays(page);
	await imagesLoaded(page);
	const target = path.join(OUT_DIR, file);
	await page.screenshot({ path: target, animations: 'disabled' });
	log(`${path.relative(ROOT, target)}: ${what}`);
	return target;
}

/** Waits for an element and scrolls the panel so that it is on screen. */
async function inView(locator) {
	await locator.waitFor({ state: 'visible' });
	await locator.scrollIntoViewIfNeeded();
}

const nodeOnCanvas = (page, name) =>
	page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);

/** Opens a workflow (or one of its executions) by URL and waits for its nodes on the canvas. */
async function openCanvas(page, urlPath, nodeNames) {
	await page.goto(`${BASE_URL}${urlPath}`, { waitUntil: 'commit' });
	for (const name of nodeNames)
		await nodeOnCanvas(page, name).first().waitFor({ state: 'visible' });
	await settle(page);
	await dismissOverlays(page);
	// Fit the whole workflow into the view (the checklist popover, once closed, leaves room).
	await page.locator('[data-test-id="zoom-to-fit"]').click();
	await page.evaluate(() => document.activeElement?.blur());
	await page.mouse.move(VIEWPORT.width - 5, VIEWPORT.height / 2);
	await settle(page);
}

/** Double-clicks a node and waits for its panel (NDV). */
async function openNode(page, name) {
	await nodeOnCanvas(page, name).first().dblclick();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'visible' });
	await page.locator('[data-test-id="node-parameters"]').first().waitFor({ state: 'visible' });
	await settle(page);
}

/**
 * Widens the panel's middle (parameters) column by `px`, by dragging both of its edges as a user
 * would: the trigger's notices hold a long command that overflows the default width. n8n keeps
 * the widths in localStorage, so resetNodeWidths() puts the default back for the next panels.
 */
async function widenNode(page, px) {
	for (const [dir, dx] of [
		['right', px / 2],
		['left', -px / 2],
	]) {
		const edge = await page
			.locator(`[data-test-id="ndv"] [data-dir="${dir}"]`)
			.first()
			.boundingBox();
		if (!edge) continue;
		const y = edge.y + edge.height / 2;
		await page.mouse.move(edge.x + 2, y);
		await page.mouse.down();
		await page.mouse.move(edge.x + 2 + dx, y, { steps: 10 });
		await page.mouse.up();
	}
	await settle(page);
}

async function resetNodeWidths(page) {
	await page.evaluate(() => {
		for (const key of Object.keys(localStorage))
			if (key.startsWith('N8N_NDV_PANEL_WIDTH')) localStorage.removeItem(key);
	});
}

async function closeNode(page) {
	await page.locator('[data-test-id="ndv-close-button"]').first().click();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
}

/** Opens a node of an executed workflow, shows its output as `view`, waits for `text`, shoots. */
async function shootNodeOutput(page, { node, view, text, file, what }) {
	await openNode(page, node);
	const output = page.locator('[data-test-id="output-panel"]');
	await output.locator(`[data-test-id="radio-button-${view}"]`).click();
	await output.getByText(text).first().waitFor();
	const target = await shot(page, file, what);
	await closeNode(page);
	return target;
}

/**
 * One of the workflow's latest successful executions: the quickest whose stored data mentions
 * `prefer` (e.g. a "delivered" event), else the quickest (timings on a busy machine vary); with
 * `needed` (what to run first), a run that matches or an error saying so.
 */
async function pickExecution(page, workflowId, prefer, needed) {
	const data = await rest(
		page,
		`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId, status: ['success'] }))}&limit=50`,
	);
	const runs = (data.results ?? data ?? []).filter((e) => e.status === 'success' && e.stoppedAt);
	if (!runs.length) {
		throw new Error(
			`the workflow ${workflowId} has no successful execution yet: npm start sends the bulk example once ` +
				'and the delivery events follow; wait a few seconds and run this again',
		);
	}
	const duration = (e) => Date.parse(e.stoppedAt) - Date.parse(e.startedAt);
	runs.sort((a, b) => duration(a) - duration(b));
	if (prefer) {
		for (const run of runs.slice(0, 40)) {
			const full = await rest(page, `/executions/${run.id}`);
			if (prefer(typeof full.data === 'string' ? full.data : JSON.stringify(full.data))) return run;
		}
		if (needed) throw new Error(`the workflow ${workflowId} has no such execution yet: ${needed}`);
	}
	return runs[0];
}

const otpWebhook = () => `${BASE_URL}/webhook/smsroute-example-otp`;

/** Starts the OTP runs the Send and Wait shots need and do not have yet (they finish meanwhile). */
async function startMissingOtpRuns(page, otp) {
	for (const run of OTP_RUNS) {
		try {
			await pickExecution(page, otp.id, run.prefer, 'missing');
		} catch {
			const res = await post(otpWebhook(), { phone: run.phone });
			log(`OTP example run to ${run.phone} (${run.outcome}) started: HTTP ${res.status}`);
		}
	}
}

/** pickExecution(), polled until the run exists (a Timed Out run takes the example's 2 minutes). */
async function waitForExecution(page, workflowId, prefer, needed) {
	const deadline = Date.now() + Math.max(TIMEOUT_MS, 300_000);
	for (;;) {
		try {
			return await pickExecution(page, workflowId, prefer, needed);
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await sleep(5000);
		}
	}
}

async function takeScreenshots(page) {
	const files = [];
	const bulk = await findWorkflow(page, WORKFLOWS.bulk);
	const slack = await findWorkflow(page, WORKFLOWS.slack);
	const retry = await findWorkflow(page, WORKFLOWS.retry);
	const otp = await findWorkflow(page, WORKFLOWS.otp);
	await startMissingOtpRuns(page, otp);

	// 1. The bulk example on the canvas.
	await openCanvas(page, `/workflow/${bulk.id}`, ['Recipients', 'Send in Bulk']);
	files.push(await shot(page, 'workflow-bulk-send.png', `canvas of "${WORKFLOWS.bulk}"`));

	// 2. The SMS Route node's panel: Send in Bulk, its fields (Metadata, a JSON field, in view) and
	// options; then the option list.
	await openNode(page, 'Send in Bulk');
	await inView(page.locator('[data-test-id="ndv"]').getByText('Metadata', { exact: true }).first());
	files.push(
		await shot(page, 'node-send-in-bulk.png', 'SMS Route node panel, operation Send in Bulk'),
	);
	await page
		.locator('[data-test-id="ndv"] [data-test-id="collection-parameter-add"]')
		.last()
		.click();
	await page
		.locator('.el-select-dropdown__item:visible', { hasText: 'Max Attempts' })
		.first()
		.waitFor();
	files.push(
		await shot(
			page,
			'node-send-in-bulk-options.png',
			'SMS Route node panel, the Send in Bulk options',
		),
	);
	await page.keyboard.press('Escape');
	await closeNode(page);

	// 3. The trigger's panel with its Production URL, the notice and its parameters.
	await openCanvas(page, `/workflow/${retry.id}`, ['SMS Route Trigger', 'Send fresh message']);
	await openNode(page, 'SMS Route Trigger');
	await widenNode(page, 240);
	const urls = page.locator('[data-test-id="ndv"]').getByText('Webhook URLs', { exact: true });
	if (!(await page.locator('[data-test-id="radio-button-production"]').isVisible()))
		await urls.click();
	await page.locator('[data-test-id="radio-button-production"]').click();
	await page
		.locator('[data-test-id="ndv"]')
		.getByText(/\/webhook\/[0-9a-f-]+\/webhook/)
		.first()
		.waitFor();
	// Both credential fields, each labelled by what it verifies.
	for (const label of TRIGGER_CREDENTIAL_LABELS) {
		await page
			.locator('[data-test-id="ndv"] [data-test-id="credentials-label"]')
			.getByText(label)
			.first()
			.waitFor();
	}
	await inView(page.locator('[data-test-id="ndv"] [data-test-id="credentials-label"]').first());
	files.push(
		await shot(
			page,
			'node-trigger.png',
			'SMS Route Trigger panel: Production URL, credentials, notice, events',
		),
	);
	// The Test URL and the notice that says how to send a signed test event to it.
	await page.locator('[data-test-id="radio-button-test"]').click();
	await page
		.locator('[data-test-id="ndv"]')
		.getByText(/\/webhook-test\/[0-9a-f-]+\/webhook/)
		.first()
		.waitFor();
	// The notice (0.3.0) tells how to test with the user's own smsroute account and test key.
	await inView(
		page
			.locator('[data-test-id="ndv"]')
			.getByText(/Test with your smsroute account/)
			.first(),
	);
	files.push(
		await shot(
			page,
			'node-trigger-test-event.png',
			'SMS Route Trigger panel: Test URL and the test-event notice',
		),
	);
	await closeNode(page);
	await resetNodeWidths(page);

	// 4. A past execution of the delivery-events example: the run, then the trigger's normalized event.
	// A first delivery report ("delivered"), not a retry's ("retryOf" in its metadata) nor one relayed
	// to a waiting Send and Wait execution (its metadata holds the resume URL).
	const execution = await pickExecution(
		page,
		slack.id,
		(d) => d.includes('message.delivered') && !d.includes('retryOf') && !d.includes('n8nResumeUrl'),
	);
	await openCanvas(page, `/workflow/${slack.id}/executions/${execution.id}`, [
		'SMS Route Trigger',
		'Format Slack message',
	]);
	await page.locator('[data-test-id="canvas-node-status-success"]').first().waitFor();
	files.push(
		await shot(
			page,
			'execution-delivery-event.png',
			`execution ${execution.id} of "${WORKFLOWS.slack}"`,
		),
	);
	files.push(
		await shootNodeOutput(page, {
			node: 'SMS Route Trigger',
			view: 'json',
			text: '"messageId"',
			file: 'execution-trigger-output.png',
			what: `execution ${execution.id}: the trigger's normalized event (JSON)`,
		}),
	);

	// 5. A past run of the bulk example: the node's output, one item per message with its id.
	const bulkRun = await pickExecution(page, bulk.id);
	await openCanvas(page, `/workflow/${bulk.id}/executions/${bulkRun.id}`, [
		'Recipients',
		'Send in Bulk',
	]);
	await page.locator('[data-test-id="canvas-node-status-success"]').first().waitFor();
	files.push(
		await shootNodeOutput(page, {
			node: 'Send in Bulk',
			view: 'table',
			text: /^msg_/,
			file: 'execution-bulk-output.png',
			what: `execution ${bulkRun.id} of "${WORKFLOWS.bulk}": Send in Bulk output`,
		}),
	);

	// 6. Send and Wait for Delivery, from the runs of the OTP example started above: the executed
	// canvas with the item leaving on Delivered, the node's panel with its three outputs, then runs
	// leaving on Not Delivered (on to the backup number) and (an ordinary number: the sandbox sends no
	// event, so the example's 2-minute limit ends the wait) Timed Out.
	const otpCall = (phone) =>
		`curl -X POST ${BASE_URL}/webhook/smsroute-example-otp -H 'content-type: application/json' -d '{"phone":"${phone}"}'`;
	const otpNodes = ['Make OTP', 'Send OTP and wait', 'OTP delivered'];
	// Each run leaves on its outcome: its canvas is shot once the node on that output has run; the
	// Delivered run also shows the Send and Wait panel.
	for (const run of OTP_RUNS) {
		const execution = await waitForExecution(
			page,
			otp.id,
			run.prefer,
			`${otpCall(run.phone)}${run.wait}`,
		);
		await openCanvas(page, `/workflow/${otp.id}/executions/${execution.id}`, otpNodes);
		await nodeOnCanvas(page, run.outputNode)
			.locator('[data-test-id="canvas-node-status-success"]')
			.first()
			.waitFor();
		files.push(
			await shot(page, run.file, `execution ${execution.id} of "${WORKFLOWS.otp}": ${run.outcome}`),
		);
		if (run.outcome !== 'Delivered') continue;
		files.push(
			await shootNodeOutput(page, {
				node: 'Send OTP and wait',
				view: 'json',
				text: '"outcome"',
				file: 'node-send-and-wait.png',
				what: `execution ${execution.id}: the Send and Wait panel, Delivered output`,
			}),
		);
	}
	return files;
}

/**
 * The Guardrails collection (issue 26): filled in on the guarded OTP example, and its list on Send
 * in Bulk. SMSROUTE_SCREENSHOTS_ONLY=guardrails takes only these.
 */
async function takeGuardrailsScreenshots(page) {
	const files = [];
	const ndv = page.locator('[data-test-id="ndv"]');
	const guarded = await findWorkflow(page, WORKFLOWS.guarded);
	await openCanvas(page, `/workflow/${guarded.id}`, ['Send OTP (guarded)']);
	await openNode(page, 'Send OTP (guarded)');
	await inView(ndv.getByText('Max Messages per Execution', { exact: true }).first());
	files.push(
		await shot(
			page,
			'node-guardrails.png',
			'SMS Route node panel: the Guardrails collection of the guarded OTP example',
		),
	);
	await closeNode(page);

	// Lists only, nothing added: n8n 2.x saves an edited workflow by itself, which would change
	// the example for the next run.
	const bulk = await findWorkflow(page, WORKFLOWS.bulk);
	await openCanvas(page, `/workflow/${bulk.id}`, ['Recipients', 'Send in Bulk']);
	await openNode(page, 'Send in Bulk');
	// A collection's add button is a select whose placeholder is the text shown.
	for (const [placeholder, item, file, what] of [
		[
			'Add Guardrail',
			'Sending Window Time Zone',
			'node-send-in-bulk-guardrails.png',
			'SMS Route node panel: the Guardrails of Send in Bulk, with the Sending Window',
		],
		[
			'Add Option',
			'Max Attempts',
			'node-send-in-bulk-options.png',
			'SMS Route node panel, the Send in Bulk options (also step 2 of takeScreenshots)',
		],
	]) {
		const add = ndv.getByPlaceholder(placeholder).first();
		await inView(add);
		await add.click();
		await page.locator('.el-select-dropdown__item:visible', { hasText: item }).first().waitFor();
		files.push(await shot(page, file, what));
		await page.keyboard.press('Escape');
	}
	await closeNode(page);

	// The Sending Window as its example sets it, with the hint on what the window means.
	const window = await findWorkflow(page, WORKFLOWS.window);
	await openCanvas(page, `/workflow/${window.id}`, ['Send in Bulk']);
	await openNode(page, 'Send in Bulk');
	await inView(ndv.getByText('When sending is allowed', { exact: false }).first());
	files.push(
		await shot(
			page,
			'node-send-in-bulk-sending-window.png',
			'SMS Route node panel: the Sending Window of the Sending Window example',
		),
	);
	await closeNode(page);

	// A deferred item: the example run from the editor (as its sticky note says). Its contacts are
	// in four zones, so at any hour some are outside 08:00-21:00; the run then pauses in its Wait.
	await openCanvas(page, `/workflow/${window.id}`, ['Send in Bulk']);
	await page.locator('[data-test-id="execute-workflow-button"]').first().click();
	await nodeOnCanvas(page, 'Send in Bulk')
		.locator('[data-test-id="canvas-node-status-success"]')
		.first()
		.waitFor();
	files.push(
		await shootNodeOutput(page, {
			node: 'Send in Bulk',
			view: 'json',
			text: '"deferred"',
			file: 'execution-sending-window-deferred.png',
			what: 'Send in Bulk output of the Sending Window example: deferred items with sendAfter',
		}),
	);
	return files;
}

/** POST to npm start's sandbox admin or to one of n8n's production webhooks (from Node, not the page). */
async function post(url, body) {
	const res = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body ?? {}),
	});
	return { status: res.status, text: await res.text() };
}

/**
 * The Executions list's Retry (docs/recovering-a-campaign.md): a run of the bulk example fails
 * while the sandbox refuses one of its recipients ("down until healed"), the sandbox is healed,
 * then the failed execution's menu shows both Retry choices; "Retry with original workflow"
 * leaves the failed execution with its successful retry.
 */
async function shootRetry(page) {
	const files = [];
	const down = await post(`${SANDBOX_URL}/__sandbox/faults/down`, { to: ['+15005550003'] });
	if (down.status !== 200)
		throw new Error(`${SANDBOX_URL}/__sandbox/faults/down → HTTP ${down.status}: ${down.text}`);
	try {
		const run = await post(`${BASE_URL}/webhook/smsroute-example-bulk-send`);
		log(`bulk example run while +15005550003 is down: HTTP ${run.status} (a failed execution)`);
	} finally {
		await post(`${SANDBOX_URL}/__sandbox/faults/heal`);
	}
	await page.goto(`${BASE_URL}/home/executions`, { waitUntil: 'commit' });
	const failedRow = page
		.locator('[data-test-id="global-execution-list-item"]')
		.filter({ has: page.locator('[data-test-id="execution-status"]', { hasText: 'Error' }) })
		.first();
	await failedRow.waitFor({ state: 'visible' });
	await settle(page);
	await dismissOverlays(page);
	await failedRow.locator('td').last().locator('button').last().click();
	await page.locator('[data-test-id="execution-retry-original-dropdown-item"]').waitFor();
	files.push(
		await shot(
			page,
			'executions-retry-menu.png',
			'Executions list: a failed run and its Retry menu',
		),
	);
	// The bulk example's own executions: the successful retry open, the failed run below it. The
	// retry of this run, the newest failed one (not one that an earlier run of this script made).
	const bulk = await findWorkflow(page, WORKFLOWS.bulk);
	const executionsOf = async (filter) => {
		const data = await rest(
			page,
			`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: bulk.id, ...filter }))}`,
		);
		return Array.isArray(data) ? data : (data?.results ?? []);
	};
	const failedId = Math.max(
		...(await executionsOf({ status: ['error'] })).map((e) => Number(e.id)),
	);
	await page.locator('[data-test-id="execution-retry-original-dropdown-item"]').click();
	const deadline = Date.now() + TIMEOUT_MS;
	let retried;
	while (!retried) {
		if (Date.now() > deadline) throw new Error('the Retry never showed up among the executions');
		retried = (await executionsOf({})).find(
			(e) => Number(e.retryOf) === failedId && e.status === 'success',
		);
		if (!retried) await sleep(500);
	}
	await openCanvas(page, `/workflow/${bulk.id}/executions/${retried.id}`, [
		'Recipients',
		'Send in Bulk',
	]);
	files.push(
		await shot(
			page,
			'executions-retried.png',
			`the bulk example's executions: the successful retry ${retried.id} of the failed run ${retried.retryOf}`,
		),
	);
	return files;
}

module.exports = { ensureChromium, takeScreenshots, takeGuardrailsScreenshots, shootRetry };

async function main() {
	ensureChromium();
	await checkInstance();
	fs.mkdirSync(OUT_DIR, { recursive: true });
	const { chromium } = require('playwright-core');
	const browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--no-sandbox',
			'--disable-gpu',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--no-first-run',
			'--disable-quic',
		],
	});
	try {
		const context = await browser.newContext({
			viewport: VIEWPORT,
			deviceScaleFactor: 1,
			colorScheme: 'light',
			locale: 'en-US',
		});
		context.setDefaultTimeout(TIMEOUT_MS);
		context.setDefaultNavigationTimeout(TIMEOUT_MS);
		// Offline and local only: nothing leaves for another host (telemetry, fonts, CDNs).
		const allowed = new URL(BASE_URL).host;
		await context.route('**/*', (route) => {
			const url = new URL(route.request().url());
			if (url.protocol.startsWith('http') && url.host !== allowed)
				return route.abort('blockedbyclient');
			return route.continue();
		});
		const page = await context.newPage();
		trackRequests(page);
		await signIn(page);
		const only = process.env.SMSROUTE_SCREENSHOTS_ONLY;
		if (only && !['guardrails', 'retry'].includes(only))
			throw new Error(`SMSROUTE_SCREENSHOTS_ONLY="${only}": want "guardrails" or "retry"`);
		const files = [];
		if (!only) files.push(...(await takeScreenshots(page)));
		if (!only || only === 'guardrails') files.push(...(await takeGuardrailsScreenshots(page)));
		if (!only || only === 'retry') files.push(...(await shootRetry(page)));
		log(`done: ${files.length} screenshots in ${path.relative(ROOT, OUT_DIR) || '.'}`);
	} finally {
		await browser.close();
	}
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`[screenshots] ${error.stack || error.message}\n`);
		process.exit(1);
	});
}
