/** Types for eventFields.js. */
export const NORMALIZED_EVENT_FIELDS: readonly string[];
