/**
 * A URL as typed into a credential, without its trailing slashes. A loop, not /\/+$/: that
 * pattern is quadratic on a run of slashes inside the text (100,000 took 19 s).
 */
export function withoutTrailingSlashes(text: string): string {
	let end = text.length;
	while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
	return text.slice(0, end);
}
