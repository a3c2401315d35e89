import { chunk, mapWithConcurrency } from '../../../../../nodes/SmsRoute/sending/chunking';

describe('concurrency and chunks', () => {
	it('keeps task order and never exceeds the limit', async () => {
		let inFlight = 0;
		let peak = 0;
		const results = await mapWithConcurrency([30, 5, 20, 1, 10, 2, 8], 3, async (delay, index) => {
			inFlight++;
			peak = Math.max(peak, inFlight);
			await new Promise((resolve) => setTimeout(resolve, delay));
			inFlight--;
			return index;
		});
		expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
		expect(peak).toBe(3);
	});

	it('rejects after in-flight tasks settle and starts no new ones', async () => {
		const started: number[] = [];
		let settled = 0;
		await expect(
			mapWithConcurrency([0, 1, 2, 3, 4, 5], 2, async (n) => {
				started.push(n);
				await new Promise((resolve) => setTimeout(resolve, 10));
				settled++;
				if (n === 1) throw new Error('boom');
				return n;
			}),
		).rejects.toThrow('boom');
		expect(settled).toBe(started.length);
		expect(started.length).toBeLessThan(6);
	});

	it('chunks at the edges', () => {
		expect(chunk([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
		expect(
			chunk(
				Array.from({ length: 2500 }, (_, i) => i),
				1000,
			).map((c) => c.length),
		).toEqual([1000, 1000, 500]);
		expect(chunk([], 1000)).toEqual([]);
	});
});
