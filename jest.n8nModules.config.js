/**
 * Runs tests against the n8n-core and n8n-workflow of any n8n install instead of the dev
 * dependencies: N8N_MODULES=<install>/node_modules npx jest -c jest.n8nModules.config.js …
 * test/e2e/n8nInternals.test.js uses it with the installs test/e2e/install-n8n.sh caches.
 */
const { n8nModulesConfig } = require('./test/helpers/jestN8nModules');

const modules = process.env.N8N_MODULES;
if (!modules) throw new Error('N8N_MODULES must name the node_modules folder of an n8n install');

module.exports = n8nModulesConfig(modules);
