/** The process's CPU time in ms: not the time a busy machine made the test wait for a CPU. */
export function cpuMs(): number {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

/**
 * Speed in tests is a ratio, never a wall-clock limit (a busy machine slows both sides alike):
 * the fastest CPU time of `run(large)` over the fastest of `run(small)`, in alternating rounds
 * after one warm-up each (noise only ever adds time). Callers give four times the input and allow
 * 8×: linear is 4×, quadratic 16×; at twice the input a 2.5× bound failed linear code on a loaded
 * CI machine. Absolute times belong in the bench (test/bench, BENCHMARKS.md).
 */
export const MAX_GROWTH_AT_4X = 8;

export async function timeRatio<T>(
	run: (input: T) => unknown,
	small: T,
	large: T,
	rounds = 5,
): Promise<number> {
	const time = async (input: T): Promise<number> => {
		const started = cpuMs();
		await run(input);
		return cpuMs() - started;
	};
	await time(small);
	await time(large);
	const times: [number[], number[]] = [[], []];
	for (let round = 0; round < rounds; round++) {
		times[0].push(await time(small));
		times[1].push(await time(large));
	}
	return Math.min(...times[1]) / Math.min(...times[0]);
}
