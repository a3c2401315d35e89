/** The process's CPU time in ms: not the time a busy machine made the test wait for a CPU. */
function cpuMs(): number {
	const { user, system } = process.cpuUsage();
	return (user + system) / 1000;
}

/**
 * Speed in tests is a ratio, never a wall-clock limit (a busy machine slows both sides alike):
 * the median CPU time of `run(large)` over the median of `run(small)`, in alternating rounds after
 * one warm-up each. Absolute times belong in the bench (test/bench, BENCHMARKS.md).
 */
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
	const median = (list: number[]) => [...list].sort((a, b) => a - b)[list.length >> 1];
	return median(times[1]) / median(times[0]);
}
