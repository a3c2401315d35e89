export declare function localMinute(zone: string, instant: number): number;
export declare function hhmm(minutes: number): string;
export declare function insideWindow(
	window: { start: number; end: number },
	minute: number,
): boolean;
