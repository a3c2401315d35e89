import { createSandbox, DEFAULT_LIVE_KEY, DEFAULT_TEST_KEY, type Sandbox } from '../sandbox/server';

/**
 * The jest hooks of a node test against the sandbox: one sandbox for the describe block (or
 * file), reset before each test. `credentials()` is the smsRouteApi credential pointing at it;
 * `charged()` lists the numbers its ledger charged, independently of what the node reports.
 */
export function useSandboxRun(seed?: number) {
	let sandbox: Sandbox;
	let baseUrl: string;
	beforeAll(async () => {
		sandbox = createSandbox({ port: 0, ...(seed === undefined ? {} : { seed }) });
		({ baseUrl } = await sandbox.start());
	});
	afterAll(async () => await sandbox.stop());
	beforeEach(() => sandbox.reset());
	return {
		sandbox: () => sandbox,
		credentials: () => ({
			environment: 'test',
			testApiKey: DEFAULT_TEST_KEY,
			liveApiKey: DEFAULT_LIVE_KEY,
			baseUrl,
		}),
		charged: () => sandbox.ledger().map((entry) => entry.to),
	};
}
