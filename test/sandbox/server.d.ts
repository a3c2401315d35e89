// Types of the sandbox (plain CommonJS, so it runs without a build step) for the TypeScript tests.

export declare const DEFAULT_TEST_KEY: string;
export declare const DEFAULT_LIVE_KEY: string;
export declare const DEFAULT_PORT: number;

export type FaultKind = '500' | '503' | '429' | 'drop' | 'stall' | 'ok';

export interface SandboxFaults {
	error500?: number;
	error503?: number;
	rateLimit?: number;
	retryAfterSeconds?: number;
	dropAfterCharge?: number;
	stall?: number;
	stallMs?: number;
}

export interface SandboxWebhookOptions {
	url?: string | null;
	mode?: 'smsroute' | 'sendcloud';
	sendCloudAppKey?: string;
	sendCloudFormat?: 'json' | 'form';
	allNumbers?: boolean;
	retries?: number;
	retryBackoffMs?: number;
	timeoutMs?: number;
}

/** What configure() (and createSandbox, which also takes host and port) accepts. */
export interface SandboxConfig {
	balance?: number | null;
	latencyMs?: number;
	stepMs?: number;
	idempotencyTtlMs?: number;
	seed?: number;
	verbose?: boolean;
	testKey?: string;
	liveKey?: string;
	optedOut?: string[];
	optOutNamesIndex?: boolean;
	/** false: a send's answer has no metadata, as the guide documents it. */
	echoMetadata?: boolean;
	/** false: GET /v1/balance answers 404 like any unknown path (the guide never mentions it). */
	balanceRoute?: boolean;
	faults?: SandboxFaults;
	webhook?: SandboxWebhookOptions;
}

export interface SandboxOptions extends SandboxConfig {
	host?: string;
	port?: number;
}

export interface LedgerEntry {
	id: string;
	to: string;
	body: string;
	from: string | null;
	idempotencyKey: string | null;
	credits: number;
	environment: 'test' | 'live';
	chargedAt: string;
	metadata: Record<string, unknown>;
}

export interface SandboxStats {
	requests: Record<string, number>;
	responses: Record<string, number>;
	faults: Record<string, number>;
	charged: number;
	creditsCharged: number;
	creditsRemaining: number | null;
	messages: number;
	webhooks: { delivered: number; failed: number; pendingEvents: number };
}

export interface WebhookLogEntry {
	url: string;
	mode: 'smsroute' | 'sendcloud';
	environment: 'test' | 'live';
	messageId: string;
	status: string | null;
	statusCode: number | null;
	body: string;
	headers: Record<string, string>;
	attempts: number;
	error: string | null;
	responseBody: string | null;
	sentAt: string;
	emitted?: boolean;
	tampered?: boolean;
}

export interface EmitOptions {
	mode?: 'smsroute' | 'sendcloud';
	url?: string;
	status?: string;
	eventType?: number;
	messageId?: string;
	environment?: 'test' | 'live';
	to?: string;
	metadata?: Record<string, unknown>;
	reason?: string;
	tamper?: boolean;
}

export interface Sandbox {
	start(): Promise<{ url: string; baseUrl: string; port: number }>;
	stop(): Promise<void>;
	/** Returns the configuration without its keys. */
	configure(partial: SandboxConfig): Record<string, unknown>;
	queueFaults(list: FaultKind[] | string[]): number;
	/** Every send holding one of `to` answers `status` (default 503), uncharged, until heal(). */
	down(input: { to: string[]; status?: 500 | 503 }): string[];
	/** Ends every "down" fault; returns how many recipients were down. */
	heal(): number;
	ledger(): LedgerEntry[];
	stats(): SandboxStats;
	webhookLog(): WebhookLogEntry[];
	emitWebhook(options?: EmitOptions): Promise<{ statusCode: number; body: string }>;
	reset(): void;
	readonly options: Record<string, unknown>;
}

export declare function createSandbox(options?: SandboxOptions): Sandbox;
