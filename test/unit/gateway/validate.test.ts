import { test } from "node:test";
import assert from "node:assert/strict";
import { validateArgv, validateCommand, splitCommand, type Decision } from "../../../server/gateway/validate";

const T = "app";
const aliases: Record<string, string> = { "market predictor": "app", mp: "app" };
const v = (cmd: string) => validateCommand(cmd, { container: T, resolveAlias: (n) => aliases[n.toLowerCase()] });

interface Case {
  cmd: string;
  decision: Decision;
  /** A reason must match this. */
  why?: RegExp;
  /** The argv that would run, when it differs from a plain split. */
  argv?: string[];
}

const CASES: Case[] = [
  // read-only on the target: run
  { cmd: "docker logs --tail 20 app", decision: "allowed", argv: ["docker", "logs", "--tail", "20", "app"] },
  { cmd: "docker logs -n 20 app", decision: "allowed" },
  { cmd: "docker logs -n20 app", decision: "allowed" },
  { cmd: "docker logs --tail=all app", decision: "allowed" },
  { cmd: "docker logs app --tail 5", decision: "allowed" },
  { cmd: "docker logs --since 10m --until 2m -t app", decision: "allowed" },
  { cmd: "docker logs --since 2024-01-02T10:00:00Z --timestamps app", decision: "allowed" },
  { cmd: "docker logs --details app", decision: "allowed" },
  { cmd: "docker container logs --tail 3 app", decision: "allowed" },
  { cmd: "docker inspect app", decision: "allowed" },
  { cmd: "docker inspect --format '{{.State.Status}}' app", decision: "allowed" },
  { cmd: 'docker inspect -f "{{json .Config.Labels}}" app', decision: "allowed" },
  { cmd: "docker inspect --type container app", decision: "allowed" },
  { cmd: "docker stats --no-stream app", decision: "allowed" },
  { cmd: "docker stats app --no-stream --format '{{.CPUPerc}}'", decision: "allowed" },
  { cmd: "docker top app", decision: "allowed" },
  { cmd: "docker top app aux", decision: "allowed" },
  { cmd: "docker port app", decision: "allowed" },
  { cmd: "docker port app 80/tcp", decision: "allowed" },
  { cmd: "docker diff app", decision: "allowed" },
  { cmd: "docker inspect mp", decision: "allowed", why: /^$/ },
  // ps: filtered to the target, exactly
  { cmd: "docker ps", decision: "allowed", argv: ["docker", "ps", "--filter", "name=^/app$"] },
  {
    cmd: "docker ps -a --filter name=app",
    decision: "allowed",
    argv: ["docker", "ps", "-a", "--filter", "name=^/app$"],
  },
  { cmd: "docker ps --filter=name=app", decision: "allowed", argv: ["docker", "ps", "--filter=name=^/app$"] },
  { cmd: "docker ps -fname=app", decision: "allowed", argv: ["docker", "ps", "-fname=^/app$"] },
  { cmd: "docker ps -af name=app", decision: "allowed", argv: ["docker", "ps", "-af", "name=^/app$"] },
  {
    cmd: "docker ps --filter 'name=^app$' --filter status=running",
    decision: "allowed",
    argv: ["docker", "ps", "--filter", "name=^/app$", "--filter", "status=running"],
  },
  {
    cmd: "docker container ls -a",
    decision: "allowed",
    argv: ["docker", "container", "ls", "--filter", "name=^/app$", "-a"],
  },
  // The added filter goes right after the subcommand: after `--` it would be a positional (and refused on re-validation).
  { cmd: "docker ps --", decision: "allowed", argv: ["docker", "ps", "--filter", "name=^/app$", "--"] },
  { cmd: "docker ps --filter name=db", decision: "refused", why: /container `db`, not the target/ },
  { cmd: "docker ps --filter name=app --filter name=db", decision: "refused", why: /`db`/ },
  { cmd: "docker ps app", decision: "refused", why: /takes no container names/ },
  // state changes: confirm
  { cmd: "docker restart app", decision: "confirm", why: /changes the state of `app`/ },
  { cmd: "docker restart -t 5 app", decision: "confirm" },
  { cmd: "docker stop --time=10 app", decision: "confirm" },
  { cmd: "docker start app", decision: "confirm" },
  { cmd: "docker kill -s HUP app", decision: "confirm" },
  { cmd: "docker kill --signal=SIGTERM app", decision: "confirm" },
  { cmd: "docker pause app", decision: "confirm" },
  { cmd: "docker unpause app", decision: "confirm" },
  { cmd: "docker rm -f app", decision: "confirm" },
  { cmd: "docker update --memory 256m --cpus 0.5 app", decision: "confirm" },
  { cmd: "docker update --restart unless-stopped app", decision: "confirm" },
  { cmd: "docker container restart app", decision: "confirm" },
  { cmd: "docker restart market\\ predictor", decision: "refused", why: /backslash/ },
  { cmd: "docker restart 'market predictor'", decision: "confirm" },
  // exec: by the shell risk assessment of the inner command
  { cmd: "docker exec app ls -la /tmp", decision: "allowed" },
  { cmd: "docker exec app cat /etc/hostname", decision: "allowed" },
  { cmd: "docker exec -w /tmp app ls", decision: "allowed" },
  { cmd: "docker exec -u nobody app id", decision: "allowed" },
  { cmd: "docker exec app sh -c 'ps aux | head -n 5'", decision: "allowed" },
  { cmd: "docker exec app touch /tmp/x", decision: "confirm", why: /review/ },
  { cmd: "docker exec app rm /tmp/marker", decision: "confirm" },
  { cmd: "docker exec app rm -rf /", decision: "refused", why: /dangerous/ },
  { cmd: "docker exec app sh -c 'rm -rf /'", decision: "refused", why: /dangerous/ },
  { cmd: "docker exec app reboot", decision: "refused", why: /dangerous/ },
  { cmd: "docker exec app sh -c 'echo $(reboot)'", decision: "refused", why: /dangerous/ },
  { cmd: "docker exec app sh -c 'echo $HOME'", decision: "allowed" },
  { cmd: "docker exec --privileged app id", decision: "refused", why: /--privileged/ },
  { cmd: "docker exec -u root app id", decision: "refused", why: /as root/ },
  { cmd: "docker exec --user 0 app id", decision: "refused", why: /as root/ },
  { cmd: "docker exec --user=0 app id", decision: "refused", why: /as root/ },
  { cmd: "docker exec -u 0:0 app id", decision: "refused", why: /as root/ },
  { cmd: "docker exec -u nobody:root app id", decision: "refused", why: /as root/ },
  { cmd: "docker exec -u0 app id", decision: "refused", why: /as root/ },
  { cmd: "docker exec -it app sh", decision: "refused", why: /`-i`|`-t`/ },
  { cmd: "docker exec -d app sleep 100", decision: "refused", why: /detach/ },
  { cmd: "docker exec -e LD_PRELOAD=/x.so app ls", decision: "refused", why: /environment/ },
  { cmd: "docker exec app", decision: "refused", why: /no command/ },
  { cmd: "docker exec other ls", decision: "refused", why: /`other`, not the target/ },
  // the flags the lists leave out
  { cmd: "docker logs -f app", decision: "refused", why: /follow/ },
  { cmd: "docker logs --follow app", decision: "refused", why: /follow/ },
  { cmd: "docker logs -tf app", decision: "refused", why: /follow/ },
  { cmd: "docker logs --tail 20; app", decision: "refused", why: /`;`/ },
  { cmd: "docker logs --tail abc app", decision: "refused", why: /value "abc"/ },
  { cmd: "docker logs --tail app", decision: "refused" },
  { cmd: "docker logs --bogus app", decision: "refused", why: /not an allowed flag of docker logs/ },
  { cmd: "docker stats app", decision: "refused", why: /--no-stream/ },
  { cmd: "docker stats --no-stream", decision: "refused", why: /needs the target/ },
  { cmd: "docker stats -a --no-stream", decision: "refused", why: /every container/ },
  { cmd: "docker inspect --type volume app", decision: "refused", why: /value "volume"/ },
  { cmd: "docker start -a app", decision: "refused", why: /attach/ },
  { cmd: "docker rm --link app", decision: "refused", why: /link/ },
  { cmd: "docker update --privileged app", decision: "refused", why: /not an allowed flag/ },
  { cmd: "docker port app 80/tcp 443", decision: "refused" },
  { cmd: "docker logs", decision: "refused", why: /needs the target/ },
  { cmd: "docker logs app db", decision: "refused", why: /`db`/ },
  { cmd: "docker restart app db", decision: "refused", why: /`db`/ },
  { cmd: "docker inspect db", decision: "refused", why: /`db`, not the target/ },
  { cmd: "docker restart app2", decision: "refused", why: /`app2`/ },
  // other programs, global flags, other subcommands
  { cmd: "rm -rf /tmp/marker", decision: "refused", why: /runs `rm`, not docker/ },
  { cmd: "sudo docker ps", decision: "refused", why: /runs `sudo`/ },
  { cmd: "/usr/bin/docker ps", decision: "refused", why: /not docker/ },
  { cmd: "DOCKER_HOST=tcp://evil:2375 docker ps", decision: "refused", why: /environment assignment/ },
  { cmd: "docker -H tcp://10.0.0.1:2375 ps", decision: "refused", why: /another engine/ },
  { cmd: "docker --host=tcp://x ps", decision: "refused", why: /another engine/ },
  { cmd: "docker --context prod logs app", decision: "refused", why: /context/ },
  { cmd: "docker -c prod logs app", decision: "refused", why: /context/ },
  { cmd: "docker --config /tmp/c ps", decision: "refused", why: /configuration/ },
  { cmd: "docker --debug ps", decision: "refused", why: /global docker flag/ },
  { cmd: "docker run -v /:/host busybox", decision: "refused", why: /creates and starts a new container/ },
  { cmd: "docker create busybox", decision: "refused", why: /creates/ },
  { cmd: "docker cp app:/etc/passwd /tmp/x", decision: "refused", why: /copies/ },
  { cmd: "docker build .", decision: "refused", why: /builds/ },
  { cmd: "docker system prune -af", decision: "refused", why: /whole Docker Engine/ },
  { cmd: "docker volume rm data", decision: "refused", why: /volumes/ },
  { cmd: "docker network ls", decision: "refused", why: /networks/ },
  { cmd: "docker image ls", decision: "refused", why: /images/ },
  { cmd: "docker compose down", decision: "refused", why: /applications/ },
  { cmd: "docker swarm leave --force", decision: "refused", why: /swarm/ },
  { cmd: "docker login -u x -p y", decision: "refused", why: /credentials/ },
  { cmd: "docker container prune", decision: "refused", why: /`docker container prune` is not allowed/ },
  { cmd: "docker frobnicate app", decision: "refused", why: /`docker frobnicate` is not allowed/ },
  { cmd: "docker", decision: "refused", why: /no docker subcommand/ },
  // shell syntax of every kind
  { cmd: "docker ps; rm -rf /", decision: "refused", why: /`;`/ },
  { cmd: "docker logs app && reboot", decision: "refused", why: /`&`/ },
  { cmd: "docker logs app || reboot", decision: "refused", why: /`\|`/ },
  { cmd: "docker logs app | sh", decision: "refused", why: /`\|`/ },
  { cmd: "docker logs app &", decision: "refused", why: /`&`/ },
  { cmd: "docker logs $(reboot)", decision: "refused", why: /substitution/ },
  { cmd: "docker logs `reboot`", decision: "refused", why: /backtick/ },
  { cmd: "docker logs '`reboot`'", decision: "refused", why: /backtick/ },
  { cmd: 'docker logs "$(reboot)"', decision: "refused", why: /substitution/ },
  { cmd: "docker logs ${X}", decision: "refused", why: /substitution/ },
  { cmd: "docker logs $HOME", decision: "refused", why: /substitution/ },
  { cmd: "docker logs app > /etc/passwd", decision: "refused", why: /redirection/ },
  { cmd: "docker logs app 2>&1", decision: "refused", why: /redirection/ },
  { cmd: "docker logs < /dev/zero", decision: "refused", why: /redirection/ },
  { cmd: "docker logs app <(reboot)", decision: "refused" },
  { cmd: "(docker logs app)", decision: "refused", why: /subshell/ },
  { cmd: "docker logs a*", decision: "refused", why: /glob/ },
  { cmd: "docker logs ap?", decision: "refused", why: /glob/ },
  { cmd: "docker logs [a]pp", decision: "refused", why: /glob/ },
  { cmd: "docker logs {app,db}", decision: "refused", why: /brace/ },
  { cmd: "docker logs ~/app", decision: "refused", why: /home-directory/ },
  { cmd: "docker logs app # ; rm -rf /", decision: "refused" },
  { cmd: "docker logs app #comment", decision: "refused", why: /comment/ },
  { cmd: "docker logs app\nreboot", decision: "refused", why: /line break/ },
  { cmd: "docker logs app\rreboot", decision: "refused", why: /line break/ },
  { cmd: "docker logs app\u0000", decision: "refused", why: /control/ },
  { cmd: "docker logs app\u200b", decision: "refused", why: /invisible/ },
  { cmd: "docker logs app\u202e", decision: "refused", why: /invisible/ },
  { cmd: "docker logs 'app", decision: "refused", why: /unterminated/ },
  { cmd: "docker logs !!", decision: "refused", why: /history/ },
  { cmd: "docker logs app \\; reboot", decision: "refused", why: /backslash/ },
  { cmd: "", decision: "refused", why: /no command/ },
  { cmd: "d\u043Ecker ps", decision: "refused", why: /not docker/ },
];

test("the case list is broad: every decision, dozens of refusals", () => {
  assert.ok(CASES.length >= 120, `only ${CASES.length} cases`);
  for (const d of ["allowed", "confirm", "refused"] as const)
    assert.ok(CASES.filter((c) => c.decision === d).length >= 10, d);
});

for (const c of CASES) {
  test(`${c.decision}: ${JSON.stringify(c.cmd)}`, () => {
    const got = v(c.cmd);
    assert.equal(got.decision, c.decision, `reasons: ${got.reasons.join(" | ")}`);
    if (c.decision === "refused") assert.ok(got.reasons.length > 0, "a refusal says why");
    if (c.why && c.why.source !== "^$")
      assert.ok(
        got.reasons.some((r) => c.why!.test(r)),
        `no reason matches ${c.why}: ${got.reasons.join(" | ")}`,
      );
    if (c.argv) assert.deepEqual(got.argv, c.argv);
    if (c.decision !== "refused") {
      assert.ok(got.argv && got.argv[0] === "docker");
      // A confirm token carries this argv and is validated again before it runs: same decision, same argv.
      const again = validateArgv(got.argv, { container: T, resolveAlias: (n) => aliases[n.toLowerCase()] });
      assert.equal(again.decision, got.decision, `again: ${again.reasons.join(" | ")}`);
      assert.deepEqual(again.argv, got.argv);
    }
  });
}

test("splitCommand: quotes make one word each, nothing is expanded", () => {
  assert.deepEqual(splitCommand(`docker inspect --format '{{json .State}}' app`), {
    argv: ["docker", "inspect", "--format", "{{json .State}}", "app"],
  });
  assert.deepEqual(splitCommand(`docker exec app sh -c "ls -la | wc -l"`), {
    argv: ["docker", "exec", "app", "sh", "-c", "ls -la | wc -l"],
  });
});

test("exec as another user passes, root never does, and an unknown program inside needs confirmation", () => {
  assert.equal(v("docker exec -u 1000:1000 app id").decision, "allowed");
  assert.equal(v("docker exec app some-unknown-tool --do-it").decision, "confirm");
});
