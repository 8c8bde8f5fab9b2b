export { ConfigError, loadConfig, openTrainToken, processConfig, type Config, type ConfigRole } from './load';
export { schemaDefault, variableMeta, variables, type VariableMeta, type VariableName } from './variables';
