'use strict';
/**
 * The owner of a harness n8n and the two ways in: a session cookie for the internal REST API
 * (/rest) and a public-API key (/api/v1).
 */
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { http, expectOk } = require('./http');

const OWNER = Object.freeze({
	email: 'owner@smsroute.test',
	password: 'SmsRoute-e2e-2024',
	firstName: 'Sandbox',
	lastName: 'Owner',
});
const BROWSER_ID = 'n8n-nodes-smsroute-e2e';
const API_KEY_LABEL = 'smsroute harness';

/** bcrypt hash made by the bcryptjs n8n itself ships (n8n checks logins with it). Made once per version. */
const hashes = new Map();
function hashPassword(password, rt) {
	const key = `${rt.dir}\0${password}`;
	if (!hashes.has(key)) {
		const result = spawnSync(
			rt.node,
			[
				'-e',
				'process.stdout.write(require(process.argv[1]).hashSync(process.argv[2], 10))',
				path.join(rt.dir, 'node_modules', 'bcryptjs'),
				password,
			],
			{ encoding: 'utf8' },
		);
		if (result.status !== 0) throw new Error(`could not hash the owner password: ${result.stderr}`);
		hashes.set(key, result.stdout.trim());
	}
	return hashes.get(key);
}

/** 2.x takes its owner from the environment (no setup screen); 1.x needs setupOwner(). */
function ownerEnv(rt) {
	if (!rt.ownerFromEnv) return {};
	return {
		N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
		N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
		N8N_INSTANCE_OWNER_PASSWORD_HASH: hashPassword(OWNER.password, rt),
		N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
		N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
	};
}

/**
 * n8n 1.x has no owner-from-environment: a fresh instance has a placeholder owner that the
 * first visitor claims with POST /rest/owner/setup (the editor's setup screen). A user folder
 * that was set up before keeps its owner; then this does nothing.
 */
async function setupOwner(rt, url) {
	if (rt.ownerFromEnv) return;
	const settings = expectOk(await http('GET', `${url}/rest/settings`), 'GET /rest/settings');
	if (!(settings.data ?? settings).userManagement?.showSetupOnFirstLoad) return;
	expectOk(
		await http('POST', `${url}/rest/owner/setup`, {
			body: {
				email: OWNER.email,
				password: OWNER.password,
				firstName: OWNER.firstName,
				lastName: OWNER.lastName,
			},
			headers: { 'browser-id': BROWSER_ID },
		}),
		'POST /rest/owner/setup',
	);
}

async function login(url) {
	const res = await http('POST', `${url}/rest/login`, {
		body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
		headers: { 'browser-id': BROWSER_ID },
	});
	expectOk(res, 'POST /rest/login');
	const cookie = []
		.concat(res.headers['set-cookie'] ?? [])
		.map((c) => c.split(';')[0])
		.join('; ');
	if (!cookie.includes('n8n-auth=')) throw new Error('POST /rest/login set no n8n-auth cookie');
	return cookie;
}

/** A fresh public-API key with every scope; the harness's older keys are deleted first. */
async function createApiKey(rest) {
	// A persistent user folder would collect one key per start: drop the harness's old ones.
	const existing = await rest('GET', '/api-keys');
	const keys = Array.isArray(existing.body?.data)
		? existing.body.data
		: (existing.body?.data?.items ?? []);
	for (const key of keys) {
		if (typeof key.label === 'string' && key.label.startsWith(API_KEY_LABEL)) {
			await rest('DELETE', `/api-keys/${key.id}`);
		}
	}
	const scopes = expectOk(await rest('GET', '/api-keys/scopes'), 'GET /rest/api-keys/scopes').data;
	const created = expectOk(
		await rest('POST', '/api-keys', {
			label: `${API_KEY_LABEL} ${Date.now()}`,
			scopes,
			expiresAt: null,
		}),
		'POST /rest/api-keys',
	).data;
	if (!created.rawApiKey) throw new Error(`no rawApiKey in ${JSON.stringify(created)}`);
	return created.rawApiKey;
}

/**
 * Claims the owner (1.x), logs in and makes an API key. Throws with what failed.
 * → { apiKey, restHeaders(), rest(method, path, body), api(method, path, body) }
 */
async function openSession(rt, url) {
	let cookie;
	try {
		await setupOwner(rt, url);
		cookie = await login(url);
	} catch (error) {
		throw new Error(`login failed: ${error.message}`);
	}
	const restHeaders = () => ({ cookie, 'browser-id': BROWSER_ID });
	const rest = async (method, p, body) =>
		await http(method, `${url}/rest${p}`, { body, headers: restHeaders() });
	let apiKey;
	try {
		apiKey = await createApiKey(rest);
	} catch (error) {
		throw new Error(`could not create a public-API key: ${error.message}`);
	}
	const api = async (method, p, body) =>
		await http(method, `${url}/api/v1${p}`, { body, headers: { 'x-n8n-api-key': apiKey } });
	return { apiKey, restHeaders, rest, api };
}

module.exports = { OWNER, BROWSER_ID, hashPassword, ownerEnv, openSession };
