/**
 * The connector's `bitrix.oauth` config section that points at an emulator (in-process or the CLI's
 * first line): demo mode, `replay`, benchmarks and tests all connect the same way.
 */
export interface EmulatorCredentials {
  readonly url: string;
  readonly app: {
    readonly client_endpoint: string;
    readonly client_id: string;
    readonly client_secret: string;
    readonly access_token: string;
    readonly refresh_token: string;
    readonly application_token: string;
    readonly member_id: string;
  };
}

export interface ConnectorOAuthConfig {
  readonly clientEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly applicationToken: string;
  readonly memberId: string;
  readonly oauthServer: string;
}

export function connectorOAuthConfig(emu: EmulatorCredentials): ConnectorOAuthConfig {
  return {
    clientEndpoint: emu.app.client_endpoint, clientId: emu.app.client_id, clientSecret: emu.app.client_secret,
    accessToken: emu.app.access_token, refreshToken: emu.app.refresh_token,
    applicationToken: emu.app.application_token, memberId: emu.app.member_id, oauthServer: emu.url,
  };
}
