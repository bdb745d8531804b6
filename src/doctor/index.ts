export { runDoctor, doctorExitCode } from "./doctor.js";
export { formatDoctor } from "./format.js";
export { generateGatewayToken } from "./token.js";
