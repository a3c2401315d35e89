/**
 * n8n's text log format prints only the message; JSON prints the metadata too, which is where
 * a leaked secret would sit. Import before captureLogs (and before anything loading n8n-core).
 */
process.env.N8N_LOG_FORMAT = 'json';

export {};
