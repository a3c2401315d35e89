/**
 * Runs `worker` over `tasks` with at most `limit` in flight, and returns the results in task
 * order whatever order they finish in. A worker's rejection rejects the whole run, after the
 * tasks already in flight have settled, so no request is left running behind the node.
 */
export async function mapWithConcurrency<T, R>(
	tasks: readonly T[],
	limit: number,
	worker: (task: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(tasks.length);
	let next = 0;
	let failure: { error: unknown } | undefined;

	async function lane(): Promise<void> {
		while (!failure && next < tasks.length) {
			const index = next++;
			try {
				results[index] = await worker(tasks[index], index);
			} catch (error) {
				failure ??= { error };
			}
		}
	}

	const lanes = Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, lane);
	await Promise.all(lanes);
	if (failure) throw failure.error;
	return results;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < items.length; start += size) {
		chunks.push(items.slice(start, start + size));
	}
	return chunks;
}
