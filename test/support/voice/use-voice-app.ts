import { afterAll, beforeAll } from "vitest";
import { useScenarioApp } from "../scenario.js";
import type { TestApp } from "../test-app.js";
import type { FakeVoiceProvider } from "./fake-provider.js";

/**
 * A scenario app that takes `fake`'s events: the fake starts first (its env names its API and
 * its secrets), the app with it, and the fake then posts its events to the app.
 */
export function useVoiceApp(fake: FakeVoiceProvider, env: Record<string, string> = {}): TestApp {
  const appEnv = { ...env };
  beforeAll(async () => {
    await fake.start();
    Object.assign(appEnv, fake.env());
  });
  const app = useScenarioApp(appEnv);
  beforeAll(() => {
    fake.prepaidUrl = app.server.url;
  });
  afterAll(() => fake.stop());
  return app;
}
