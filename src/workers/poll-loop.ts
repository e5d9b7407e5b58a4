import { setTimeout as sleep } from "node:timers/promises";

/**
 * Runs `pass` again and again: at once while it finds work, otherwise after `pollMs` or when
 * nudged (something was just committed for it). A pass that throws is logged and retried
 * after a poll: a lost connection must not stop the worker.
 */
export class PollLoop {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly name: string,
    private readonly pollMs: number,
    private readonly pass: () => Promise<number>,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  nudge(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = 0;
      try {
        worked = await this.pass();
      } catch (error) {
        console.error(`${this.name}: pass failed, will retry:`, error instanceof Error ? error.message : error);
        await sleep(this.pollMs);
      }
      if (worked === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.pollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
      }
    }
  }
}
