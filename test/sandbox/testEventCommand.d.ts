// Types of testEventCommand.js (plain CommonJS, like the sandbox) for the TypeScript tests.

export declare const DEFAULT_SANDBOX_URL: string;
export declare const TEST_URL_PLACEHOLDER: string;
export declare function testEventCommand(
	mode: 'smsroute' | 'sendcloud',
	url?: string,
	sandboxUrl?: string,
): string;
