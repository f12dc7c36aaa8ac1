/** Asterisk's side of FastAGI for the connector's AGI tests: the simulator's res_agi peer. */
export { agiEnvironment, callAgi, parseSetVariable, type AgiCallOptions, type AgiCallResult } from '../../tools/ami-sim/server/agi-client.js';
