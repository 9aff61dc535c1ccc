import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';

/**
 * Kills what this process started if this process dies without cleaning up (SIGKILL, OOM): a
 * small shell reads "add TARGET DIR" / "del TARGET" lines on its stdin and, when the input ends
 * (our death, or our normal exit), sends SIGCONT then SIGKILL to every target still listed and
 * removes the directories it was told about. Node has no prctl(PR_SET_PDEATHSIG), and neither
 * redis-server nor ffmpeg watches its parent; a SIGSTOPped encoder would otherwise wait forever.
 * The shell runs in its own process group, so killing our group does not take it along.
 */
const WATCHDOG_SCRIPT = `
targets=' '
dirs=''
while read -r op target dir; do
  case "$op:$targets" in
    add:*) targets="$targets$target "; dirs="$dirs$dir
" ;;
    del:*" $target "*) targets="\${targets%% $target *} \${targets#* $target }" ;;
  esac
done
for target in $targets; do kill -CONT "$target" 2>/dev/null; kill -9 "$target" 2>/dev/null; done
printf '%s' "$dirs" | while IFS= read -r dir; do [ -n "$dir" ] && rm -rf -- "$dir"; done
`;

let watchdog: ChildProcess | undefined;

function startWatchdog(): ChildProcess {
  const child = spawn('sh', ['-c', WATCHDOG_SCRIPT], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  // Without sh we still have our own exit hooks; nothing here may crash the process.
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  child.unref();
  (child.stdin as Socket | null)?.unref();
  return child;
}

function tell(line: string): void {
  watchdog ??= startWatchdog();
  watchdog.stdin?.write(`${line}\n`);
}

/**
 * Has `target` killed should this process die first: a pid, or a negative number for a whole
 * process group. `directory` (no spaces or newlines) is removed then too. Returns the release.
 */
export function killOnDeath(target: number, directory = ''): () => void {
  if (!Number.isInteger(target) || target === 0) throw new TypeError(`not a pid or process group: ${target}`);
  if (/\s/.test(directory)) throw new TypeError('the watchdog cannot remove a directory whose path has white space');
  tell(`add ${target} ${directory}`);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    tell(`del ${target}`);
  };
}
