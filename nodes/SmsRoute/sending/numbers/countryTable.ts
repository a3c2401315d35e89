/**
 * The numbering plans of countryTable.generated.json (libphonenumber-js's full metadata, compiled
 * at commit time by scripts/generate-country-table.js), typed. The data is JSON so the package
 * carries it once, without a compiled copy or a source map of it.
 */
import table from './countryTable.generated.json';

/**
 * A number type the country table holds a pattern for. What a number reads as is
 * phoneNumber.ts's PhoneNumberType: one of these, or "fixed line or mobile" where a plan cannot
 * tell the two apart.
 */
export type PatternedNumberType =
	| 'fixedLine'
	| 'mobile'
	| 'tollFree'
	| 'premiumRate'
	| 'personalNumber'
	| 'voicemail'
	| 'uan'
	| 'pager'
	| 'voip'
	| 'sharedCost';

export interface NumberingPlan {
	/** Country calling code without the plus. */
	code: string;
	/** Pattern of the international (IDD) prefix dialled before a foreign calling code. */
	idd: string;
	/** Pattern a valid national significant number matches in full. */
	pattern: string;
	/** Possible lengths of a national significant number. */
	lengths: number[];
	/** Trunk prefix dialled before national numbers (absent where, as in Italy, none is dropped). */
	trunk?: string;
	/** libphonenumber's pattern for the trunk prefix when it is more than the plain digits. */
	trunkForParsing?: string;
	/** Replacement applied to the number when trunkForParsing captured a group. */
	trunkTransform?: string;
	/** Where several countries share the code: the start of national numbers of this one. */
	leadingDigits?: string;
	/** Pattern and (when not the plan's) possible lengths of each number type libphonenumber knows. */
	types: Partial<Record<PatternedNumberType, [pattern: string, lengths?: number[]]>>;
}

export type NonGeographicPlan = Omit<NumberingPlan, 'code' | 'idd'>;

/** Numbering plans by ISO 3166-1 alpha-2 country code. */
export const COUNTRY_PLANS = table.countries as unknown as Record<string, NumberingPlan>;

/** Plans of global calling codes that belong to no country (e.g. +800 freephone). */
export const NON_GEOGRAPHIC_PLANS = table.nonGeographic as unknown as Record<
	string,
	NonGeographicPlan
>;

/** Countries sharing a calling code, main country first (the order libphonenumber tries). */
export const SHARED_CALLING_CODES: Record<string, string[]> = table.sharedCallingCodes;
