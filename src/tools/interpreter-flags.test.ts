import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inlineEvalFlag, PARSED_INTERPRETERS } from "./interpreter-flags.js";

const split = (line: string) => line.split(" ");

describe("inlineEvalFlag", () => {
  it.each([
    ["python3", "-c print(1)", "-c"],
    ["python3", "-Ic print(1)", "-c"],
    ["python3", "-uc x", "-c"],
    ["python3", "-Sc x", "-c"],
    ["python3", "-Ec x", "-c"],
    ["python3", "-IBc x", "-c"],
    ["python3.11", "-W ignore -c x", "-c"],
    ["python3", "-Wignore -c x", "-c"],
    ["python3", "-X dev -Ic x", "-c"],
    ["python3", "--check-hash-based-pycs always -c x", "-c"],
    ["python3", "-cprint(1)", "-c"],
    ["pypy3", "-c x", "-c"],
    ["perl", "-e print", "-e"],
    ["perl", "-E say", "-E"],
    ["perl", "-lne print", "-e"],
    ["perl", "-wle print", "-e"],
    ["perl", "-l0ne print", "-e"],
    ["perl", "-0777 -ne print", "-e"],
    ["perl", "-pi.bak -e s/a/b/ f", "-e"],
    ["perl", "-I lib -e 1", "-e"],
    ["perl", "-MPOSIX script.pl", "-M"],
    ["perl", "-mstrict x.pl", "-m"],
    ["perl5.36", "-e 1", "-e"],
    ["ruby", "-e puts", "-e"],
    ["ruby", "-ne print", "-e"],
    ["ruby", "-rjson -e 1", "-e"],
    ["ruby", "-I lib -e 1", "-e"],
    ["node", "-e 1", "-e"],
    ["node", "-p 1", "-p"],
    ["node", "-pe 1", "-p"],
    ["node", "--eval=1", "--eval"],
    ["node", "--print 1", "--print"],
    ["node", "--max-old-space-size 100 -e 1", "-e"],
    ["node", "--import=data:text/javascript,1 x.js", "--import"],
    ["node", "--env-file .env x.js", "--env-file"],
    ["nodejs", "-r ./x.js app.js", "-r"],
    ["bun", "-e 1", "-e"],
    ["bun", "--eval 1", "--eval"],
    ["deno", "eval 1", "eval"],
    ["php", "-r echo;", "-r"],
    ["php8.2", "-d auto_prepend_file=x a.php", "-d"],
    ["lua5.4", "-e print(1)", "-e"],
    ["lua", "-lmod x.lua", "-l"],
    ["osascript", "-e beep", "-e"],
    ["Rscript", "-e 1", "-e"],
    ["julia", "--eval 1", "--eval"],
    ["sh", "-c ls", "-c"],
    ["bash", "-ec ls", "-c"],
    ["bash", "-o pipefail -c ls", "-c"],
    ["bash", "+o posix -c ls", "-c"],
    ["zsh", "-xc ls", "-c"],
    ["fish", "--command ls", "--command"],
  ])("%s %s → %s", (program, args, flag) => {
    expect(inlineEvalFlag(program, split(args))).toBe(flag);
  });

  it.each([
    ["python3", "script.py -c x"],
    ["python3", "-I script.py"],
    ["python3", "-m json.tool -c"],
    ["python3", "-W ignore script.py -c"],
    ["python3", "- -c"],
    ["python3", "-- -c"],
    ["perl", "script.pl -e"],
    ["perl", "-Ilib script.pl"],
    ["perl", "-pie x"],
    ["ruby", "x.rb -e"],
    ["node", "app.js -e 1"],
    ["node", "--trace-warnings"],
    ["bash", "script.sh -c"],
    ["bash", "--rcfile x script.sh"],
    ["deno", "run x.ts eval"],
    ["git", "-c core.pager=x log"],
    ["ls", "-c"],
  ])("%s %s runs no inline code", (program, args) => {
    expect(inlineEvalFlag(program, split(args))).toBeUndefined();
  });

  it("finds -c in any cluster of python flags, wherever it sits in the cluster (property)", () => {
    const flags = fc.array(fc.constantFrom(..."bBdEhiIOqsSuvVx"), { maxLength: 6 });
    fc.assert(
      fc.property(flags, flags, fc.constantFrom("python", "python3", "python3.12"), (before, after, exe) => {
        const cluster = `-${before.join("")}c${after.join("")}`;
        expect(inlineEvalFlag(exe, [cluster, "import os"])).toBe("-c");
      }),
    );
  });

  it("knows every interpreter the exec policy classifies", () => {
    for (const p of ["python", "perl", "ruby", "node", "php", "lua", "osascript", "deno", "bun", "sh", "bash"])
      expect(PARSED_INTERPRETERS).toContain(p);
  });
});
