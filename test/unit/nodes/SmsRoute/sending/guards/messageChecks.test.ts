import { readCodeList } from '../../../../../../nodes/SmsRoute/sending/guards/messageChecks';

/** What 0.2.0 read, without its duplicates: the reader changed how, not what. */
const asBefore = (text: string): string[] => [
	...new Set(
		text
			.split(/[\s,;]+/)
			.map((entry) => entry.trim())
			.filter((entry) => entry !== ''),
	),
];

describe('readCodeList (Allowed Countries, Block Number Types)', () => {
	it('reads text separated by spaces, commas, semicolons, tabs and line breaks', () => {
		expect(readCodeList(' GB, de;FR\tUS\nCA ;;, ')).toEqual(['GB', 'de', 'FR', 'US', 'CA']);
	});

	it('gives each code once, in the order first written', () => {
		expect(readCodeList('GB DE GB, DE US')).toEqual(['GB', 'DE', 'US']);
		expect(readCodeList(['mobile', ' voip ', 'mobile', ''])).toEqual(['mobile', 'voip']);
	});

	it('counts every white space JavaScript knows as a separator (no-break space, ideographic space)', () => {
		expect(readCodeList('GB\u00a0DE\u3000FR\u2028US\ufeffCA')).toEqual([
			'GB',
			'DE',
			'FR',
			'US',
			'CA',
		]);
	});

	it('gives what the pattern gave on every text of up to 5 characters from a small alphabet', () => {
		const alphabet = ['G', 'B', ' ', ',', ';', '\t', '\u00a0', '\u2013'];
		let texts = [''];
		const differ: string[] = [];
		for (let length = 1; length <= 5; length++) {
			texts = texts.flatMap((text) => alphabet.map((char) => text + char));
			for (const text of texts)
				if (JSON.stringify(readCodeList(text)) !== JSON.stringify(asBefore(text)))
					differ.push(JSON.stringify(text));
		}
		expect(differ).toEqual([]);
	});

	it('reads nothing from what is neither a list nor text', () => {
		expect(readCodeList(undefined)).toEqual([]);
		expect(readCodeList(42)).toEqual([]);
	});
});
