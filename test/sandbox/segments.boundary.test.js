'use strict';
// The sandbox charges what a gateway would: characters are packed whole into parts, so an escape
// pair or an emoji's surrogate pair at a part boundary starts a new part.
const { countSegments } = require('./segments');

test.each([
	['161 × a: one over a single SMS', 'a'.repeat(161), 'GSM-7', 2],
	['159 × a + €: 161 septets', `${'a'.repeat(159)}€`, 'GSM-7', 2],
	[
		'152 × a + € + 152 × a: the escape pair would straddle part 1',
		`${'a'.repeat(152)}€${'a'.repeat(152)}`,
		'GSM-7',
		3,
	],
	[
		'151 × a + € + 153 × a: the pair fits part 1',
		`${'a'.repeat(151)}€${'a'.repeat(153)}`,
		'GSM-7',
		2,
	],
	['160 × a', 'a'.repeat(160), 'GSM-7', 1],
	['306 × a', 'a'.repeat(306), 'GSM-7', 2],
	['307 × a', 'a'.repeat(307), 'GSM-7', 3],
	[
		'66 × ж + 😀 + 66 × ж: the surrogate pair would straddle part 1',
		`${'ж'.repeat(66)}😀${'ж'.repeat(66)}`,
		'UCS-2',
		3,
	],
	['65 × ж + 😀 + 67 × ж', `${'ж'.repeat(65)}😀${'ж'.repeat(67)}`, 'UCS-2', 2],
	['70 × ж', 'ж'.repeat(70), 'UCS-2', 1],
	['134 × ж', 'ж'.repeat(134), 'UCS-2', 2],
	['empty', '', 'GSM-7', 0],
])('%s', (_label, text, encoding, segments) => {
	expect(countSegments(text)).toMatchObject({ encoding, segments });
});
