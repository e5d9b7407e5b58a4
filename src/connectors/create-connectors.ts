import type { ConnectorsConfig } from "../config/connectors.js";
import type { Connector, ProviderName } from "./connector.js";
import { RetellConnector } from "./retell.js";
import { TwilioConnector } from "./twilio.js";
import { VapiConnector } from "./vapi.js";

/** The providers configured in the environment; one left out answers 404 to its events. */
export function createConnectors(config: ConnectorsConfig): Map<ProviderName, Connector> {
  const connectors = new Map<ProviderName, Connector>();
  if (config.twilio) connectors.set("twilio", new TwilioConnector(config.twilio));
  if (config.vapi) connectors.set("vapi", new VapiConnector(config.vapi));
  if (config.retell) connectors.set("retell", new RetellConnector(config.retell));
  return connectors;
}
