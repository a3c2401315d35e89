/**
 * Keeps everything n8n's logger writes during a test file, so a test can prove no secret is in
 * it. n8n's logger (winston) writes to the console object's own stdout/stderr streams, or to
 * console methods it bound when it was created: both are captured, and this module must be
 * imported before anything that loads n8n-core. Debug level, so retry messages count too.
 */
process.env.N8N_LOG_LEVEL = 'debug';

export const logged: string[] = [];

const text = (args: unknown[]) =>
	args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ');

const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
	jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
		logged.push(text(args));
	}),
);

// stdout is not where jest reports, so it is kept and silenced; stderr is kept and passed on.
const writeStdout = process.stdout.write.bind(process.stdout);
const writeStderr = process.stderr.write.bind(process.stderr);
process.stdout.write = ((chunk: unknown) => {
	logged.push(String(chunk));
	return true;
}) as typeof process.stdout.write;
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
	logged.push(String(chunk));
	return (writeStderr as (...args: unknown[]) => boolean)(chunk, ...rest);
}) as typeof process.stderr.write;

// winston writes to `console._stdout`/`_stderr` when the console has them (looked up per call);
// under jest that console is per test file, so its streams are patched too.
type StreamOwner = { _stdout?: NodeJS.WriteStream; _stderr?: NodeJS.WriteStream };
const owner = console as unknown as StreamOwner;
const restoreStreams = (['_stdout', '_stderr'] as const).flatMap((name) => {
	const stream = owner[name];
	if (!stream || stream === process.stdout || stream === process.stderr) return [];
	const original = stream.write;
	stream.write = ((chunk: unknown) => {
		logged.push(String(chunk));
		return true;
	}) as typeof stream.write;
	return [() => (stream.write = original)];
});

export function restoreConsole(): void {
	spies.forEach((spy) => spy.mockRestore());
	restoreStreams.forEach((restore) => restore());
	process.stdout.write = writeStdout;
	process.stderr.write = writeStderr;
}
