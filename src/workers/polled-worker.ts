import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../errors/describe-error.js";
import { log } from "../logging/logger.js";

/**
 * A worker that runs `runOnce` again and again: at once while it finds work, otherwise after
 * `pollMs` or when nudged (something was just committed for it). A pass that throws is
 * logged and retried after a poll: a lost connection must not stop the worker.
 */
export abstract class PolledWorker {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A nudge that came while a pass was running: the next wait is skipped. */
  private nudged = false;

  constructor(
    private readonly name: string,
    private readonly pollMs: number,
  ) {}

  /** One pass over due work; returns how many items it handled. */
  abstract runOnce(): Promise<number>;

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

  /** Started and not stopped: its loop is running (for /readyz). */
  get isRunning(): boolean {
    return this.running;
  }

  /** Something was just committed for this worker: look now instead of at the next poll. */
  nudge(): void {
    if (this.wake) this.wake();
    else this.nudged = true;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let worked = 0;
      this.nudged = false;
      try {
        worked = await this.runOnce();
      } catch (error) {
        log.error({ worker: this.name, err: describeError(error) }, `${this.name}: pass failed, will retry`);
        await sleep(this.pollMs);
      }
      if (worked === 0 && this.running && !this.nudged) {
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
