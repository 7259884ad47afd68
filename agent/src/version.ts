/** The agent's version, reported in every report and by `posture-agent version`. */
export const AGENT_VERSION = '0.1.0';
