export { runDoctor, doctorExitCode, type DoctorReport, type DoctorOptions } from "./doctor.js";
export { formatDoctor } from "./format.js";
export { generateGatewayToken, GATEWAY_TOKEN_BYTES } from "./token.js";
export { migrateLegacyKeys } from "./migrations.js";
export { channelCredentials, type ChannelCredentialStatus } from "./channel-credentials.js";
