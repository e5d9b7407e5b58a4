import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "../support/processes.js";

/**
 * A Patroni cluster on loopback for the failover tests (issue 19, docs/production.md): one etcd member,
 * two PostgreSQL 15 nodes run by Patroni with synchronous replication, and HAProxy sending
 * connections to whichever node Patroni's REST API says is the primary. Everything lives in
 * one temporary directory; every process is started here, known by its PID and stopped by it.
 * What it rests on (observed on these machines): docs/high-availability.md, "What the harness rests on".
 */

const PG_BIN = "/usr/lib/postgresql/15/bin";
/** PostgreSQL refuses to run as root: the nodes (and Patroni, which starts them) run as `postgres`. */
const POSTGRES_USER = "postgres";

function uidOf(user: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** Polls `probe` every 100 ms until it answers something, or throws after `timeoutMs` naming what it waited for. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const got = await probe();
      if (got !== undefined) return got;
    } catch {
      // Not up yet.
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

async function httpStatus(url: string): Promise<number> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await res.arrayBuffer();
  return res.status;
}

export interface Node {
  name: string;
  pgPort: number;
  restPort: number;
  dir: string;
  patroni: ChildProcess;
}

export interface Cluster {
  dir: string;
  /** postgres://…@127.0.0.1:<haproxy>/<database>: always the primary, whichever node that is. */
  url(database: string): string;
  nodes: Node[];
  /** The node whose REST API answers 200 on /primary, and whose HAProxy backend is the only one up. */
  leader(): Promise<Node>;
  /** Waits until exactly `node` is up in HAProxy (its first checks count every server up). */
  routedTo(node: Node): Promise<void>;
  /** Waits until `node` is a replica streaming in sync again (after a failover it rejoins by itself). */
  syncReplica(node: Node): Promise<void>;
  /** kill -9 of the node's postmaster (read from its postmaster.pid); returns when it was sent. */
  killPostmaster(node: Node): void;
  /** What the processes printed, for a failure's message. */
  logs(): string;
  stop(): Promise<void>;
}

function startProcess(command: string, args: string[], logFile: string, options: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const out = openSync(logFile, "a");
  return spawn(command, args, { stdio: ["ignore", out, out], uid: options.uid, gid: options.gid, env: options.env ?? process.env });
}

async function stopProcess(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const inTime = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!inTime) {
    child.kill("SIGKILL");
    await exited;
  }
}

function patroniConfig(dir: string, node: { name: string; pgPort: number; restPort: number }, etcdPort: number): string {
  const nodeDir = join(dir, node.name);
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify({
    scope: "prepaid-ha",
    name: node.name,
    restapi: { listen: `127.0.0.1:${node.restPort}`, connect_address: `127.0.0.1:${node.restPort}` },
    etcd3: { hosts: `127.0.0.1:${etcdPort}` },
    bootstrap: {
      dcs: {
        // ttl 10 / loop_wait 1 / retry_timeout 4: the replica takes over within ~3 s of the
        // leader's death (ha-facts). primary_start_timeout 0: a dead postmaster is failed over,
        // not restarted in place for up to 300 s.
        ttl: 10,
        loop_wait: 1,
        retry_timeout: 4,
        primary_start_timeout: 0,
        maximum_lag_on_failover: 1_048_576,
        // A commit is acknowledged only once the synchronous standby has it: an acknowledged
        // write survives the primary's death.
        synchronous_mode: true,
        postgresql: { use_pg_rewind: true, parameters: { wal_log_hints: "on", max_connections: 100, max_wal_senders: 5, wal_keep_size: "128MB" } },
      },
      initdb: [{ encoding: "UTF8" }, "data-checksums"],
    },
    postgresql: {
      listen: `127.0.0.1:${node.pgPort}`,
      connect_address: `127.0.0.1:${node.pgPort}`,
      data_dir: join(nodeDir, "data"),
      bin_dir: PG_BIN,
      pgpass: join(nodeDir, "pgpass"),
      authentication: {
        superuser: { username: "postgres", password: "postgres" },
        replication: { username: "replicator", password: "replicator" },
        rewind: { username: "postgres", password: "postgres" },
      },
      // Loopback only, trusted: the harness is its only client.
      pg_hba: ["local all all trust", "host all all 127.0.0.1/32 trust", "host replication replicator 127.0.0.1/32 trust"],
      parameters: { unix_socket_directories: nodeDir },
    },
  });
}

function haproxyConfig(port: number, statsPort: number, nodes: Array<{ name: string; pgPort: number; restPort: number }>): string {
  return [
    "global",
    "  maxconn 500",
    "defaults",
    "  mode tcp",
    "  timeout connect 2s",
    "  timeout client 30m",
    "  timeout server 30m",
    "  timeout check 1s",
    "listen stats",
    "  mode http",
    `  bind 127.0.0.1:${statsPort}`,
    "  stats enable",
    "  stats uri /",
    "listen primary",
    `  bind 127.0.0.1:${port}`,
    // Patroni's REST API says which node is the primary (200 on /primary); a node marked down
    // has its connections cut, so clients reconnect to the new primary instead of hanging.
    "  option httpchk GET /primary",
    "  http-check expect status 200",
    "  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions",
    ...nodes.map((n) => `  server ${n.name} 127.0.0.1:${n.pgPort} check port ${n.restPort}`),
    "",
  ].join("\n");
}

/** Starts etcd, two Patroni nodes and HAProxy; returns once a leader is elected, its replica streams in sync, and HAProxy routes to the leader only. */
export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "prepaid-ha-"));
  chmodSync(dir, 0o755);
  const postgres = uidOf(POSTGRES_USER);
  const processes: ChildProcess[] = [];
  const logFiles: string[] = [];
  const log = (name: string) => {
    const file = join(dir, `${name}.log`);
    logFiles.push(file);
    return file;
  };

  const [etcdClient, etcdPeer, haPort, statsPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const etcd = startProcess(
    "/usr/bin/etcd",
    [
      "--name", "e1", "--data-dir", join(dir, "etcd"),
      "--listen-client-urls", `http://127.0.0.1:${etcdClient}`, "--advertise-client-urls", `http://127.0.0.1:${etcdClient}`,
      "--listen-peer-urls", `http://127.0.0.1:${etcdPeer}`, "--initial-advertise-peer-urls", `http://127.0.0.1:${etcdPeer}`,
      "--initial-cluster", `e1=http://127.0.0.1:${etcdPeer}`,
    ],
    log("etcd"),
  );
  processes.push(etcd);
  const nodes: Node[] = [];
  const stop = async () => {
    // HAProxy first (no new connections), then the replicas' and leader's Patroni (each stops
    // its PostgreSQL), then etcd. SIGTERM to Patroni itself, which stops PostgreSQL cleanly.
    for (const child of [...processes].reverse()) await stopProcess(child, 20_000);
    // A postmaster whose Patroni was killed would outlive it: end it by its PID file.
    for (const node of nodes) {
      try {
        const pid = Number(readFileSync(join(node.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
        if (pid > 0) process.kill(pid, "SIGKILL");
      } catch {
        // Stopped, or never started.
      }
    }
    // PREPAID_HA_KEEP_DIR=1 keeps the logs (Patroni's, PostgreSQL's, HAProxy's) to read after a run.
    if (process.env.PREPAID_HA_KEEP_DIR === "1") console.log(`cluster directory kept: ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until("etcd", async () => ((await httpStatus(`http://127.0.0.1:${etcdClient}/health`)) === 200 ? true : undefined), 30_000);

    for (const name of ["node1", "node2"]) {
      const node = { name, pgPort: await freePort(), restPort: await freePort() };
      const nodeDir = join(dir, name);
      mkdirSync(nodeDir, { mode: 0o700 });
      const config = join(nodeDir, "patroni.yml");
      writeFileSync(config, patroniConfig(dir, node, etcdClient));
      chownSync(nodeDir, postgres.uid, postgres.gid);
      chownSync(config, postgres.uid, postgres.gid);
      const logFile = log(name);
      writeFileSync(logFile, "");
      chownSync(logFile, postgres.uid, postgres.gid);
      const patroni = startProcess("/usr/bin/patroni", [config], logFile, { ...postgres, env: { ...process.env, HOME: nodeDir, PATH: `${PG_BIN}:/usr/bin:/bin` } });
      processes.push(patroni);
      nodes.push({ ...node, dir: nodeDir, patroni });
      // node1 bootstraps the cluster before node2 joins as its replica.
      if (name === "node1") await until("node1 to lead", async () => ((await httpStatus(`http://127.0.0.1:${node.restPort}/primary`)) === 200 ? true : undefined), 60_000);
    }
    const haproxyCfg = join(dir, "haproxy.cfg");
    writeFileSync(haproxyCfg, haproxyConfig(haPort, statsPort, nodes));
    processes.push(startProcess("/usr/sbin/haproxy", ["-db", "-f", haproxyCfg], log("haproxy")));

    const cluster: Cluster = {
      dir,
      nodes,
      url: (database) => `postgres://postgres@127.0.0.1:${haPort}/${database}`,
      leader: () =>
        until("a leader", async () => {
          for (const node of nodes) if ((await httpStatus(`http://127.0.0.1:${node.restPort}/primary`)) === 200) return node;
          return undefined;
        }),
      routedTo: async (node) => {
        await until(`HAProxy to route to ${node.name} only`, async () => {
          const csv = await (await fetch(`http://127.0.0.1:${statsPort}/;csv`, { signal: AbortSignal.timeout(1_000) })).text();
          const up = csv
            .split("\n")
            .map((line) => line.split(","))
            .filter((f) => f[0] === "primary" && f[1]?.startsWith("node") && f[17] === "UP")
            .map((f) => f[1]);
          return up.length === 1 && up[0] === node.name ? true : undefined;
        });
      },
      syncReplica: async (node) => {
        await until(`${node.name} to be a sync standby`, async () => ((await httpStatus(`http://127.0.0.1:${node.restPort}/synchronous`)) === 200 ? true : undefined), 90_000);
      },
      killPostmaster: (node) => {
        const pid = Number(readFileSync(join(node.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
        process.kill(pid, "SIGKILL");
      },
      logs: () => logFiles.map((f) => `== ${f}\n${readFileSync(f, "utf8").split("\n").slice(-40).join("\n")}`).join("\n"),
      stop,
    };
    const leader = await cluster.leader();
    await cluster.syncReplica(nodes.find((n) => n !== leader)!);
    await cluster.routedTo(leader);
    return cluster;
  } catch (error) {
    const tails = logFiles.map((f) => {
      try {
        return `== ${f}\n${readFileSync(f, "utf8").split("\n").slice(-30).join("\n")}`;
      } catch {
        return "";
      }
    });
    await stop();
    throw new Error(`${String(error)}\n${tails.join("\n")}`);
  }
}
