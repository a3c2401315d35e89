/**
 * The jest config that runs the tests against the n8n-core and n8n-workflow in `modules` (an n8n
 * install's node_modules) instead of the dev dependencies; jest.n8n1.config.js and
 * jest.n8nModules.config.js differ only in where `modules` comes from.
 */
const path = require('node:path');

const base = require('../../jest.config.js');

function n8nModulesConfig(modules) {
	return {
		...base,
		rootDir: path.resolve(__dirname, '../..'),
		moduleNameMapper: {
			'^n8n-core$': path.join(modules, 'n8n-core'),
			'^n8n-workflow$': path.join(modules, 'n8n-workflow'),
		},
	};
}

module.exports = { n8nModulesConfig };
