//! Long explanations of every catalogue code (Markdown), shown by `go-env-doctor explain CODE`,
//! in SARIF rule help and in hovers. Each says what the finding means, why it breaks builds
//! (quoting Go's own messages, as the real `go` prints them), and how to fix it.

pub const GO_NOT_FOUND: &str = r#"No `go` binary could be found for one side (the editor or your login shell). The editor
looks at `go.alternateTools.go`, then `$GOBIN`, `$GOROOT/bin`, `PATH`, then `/usr/local/go/bin/go`
and `/usr/local/bin/go`; the shell uses the first `go` on its `PATH`.

**Why it breaks:** without `go` the Go extension cannot start gopls, run tests or build, and
nothing can tell which Go environment that side has.

**How to fix:**
- Install Go (https://go.dev/dl/ or your package manager) and put its `bin` on `PATH`, e.g.
  `export PATH="$PATH:/usr/local/go/bin"` in `~/.profile` or `~/.zprofile`.
- An editor started from the dock never reads your shell profile: start it from a terminal
  (`code .`), or point it at Go with `"go.goroot": "/usr/local/go"` in its settings (the quick
  fix *Use installed goX.Y.Z (path)* does it for a Go already installed: `go-env-doctor sdks`).
- Check with `command -v go && go version`."#;

pub const GOROOT_MISMATCH: &str = r#"The editor's effective GOROOT is not the one your login shell uses (compared with symlinks
resolved). The editor's value usually comes from `go.goroot`, a `GOROOT` in `go.toolsEnvVars`, or
the environment the editor was started with: an editor launched from the dock never read
`~/.zshrc`, so it may find a different Go, or keep a GOROOT a version manager exported.

**Why it breaks:** gopls and the Go extension build with one Go, your terminal with another.
Packages compiled by one are rejected by the other
(`compile: version "go1.21.13" does not match go tool version "go1.22.10"`), a deleted root fails
every command (`go: cannot find GOROOT directory: /x`), a wrong one gives `package fmt is not in std`.

**How to fix** (the shell is the source of truth):
- Remove the editor override (`go.goroot`, `go.toolsEnvVars.GOROOT`) when the editor then finds the
  shell's Go by itself; otherwise set `go.goroot` to its GOROOT (quick fix *Use installed goX.Y.Z (path)*).
- If a version manager (gvm, goenv, asdf) exports GOROOT, stop it: `go` finds its own root.
- Or start the editor from a terminal (`code .`) so it inherits your shell's environment."#;

pub const GO_VERSION_MISMATCH: &str = r#"The editor and your shell run different Go versions: typically a different `go` binary comes
first on each side's `PATH` (a Homebrew Go and an official one, `/usr/bin/go` from the distribution,
or a version manager shim that picks the version from the current folder).

**Why it breaks:** gopls type-checks with one version's standard library and language rules while
`go build` in the terminal uses another: new APIs or language features are errors on one side
only, and the go.mod `go` line may be accepted on one side and rejected on the other with
`go: go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)`.

**How to fix:**
- Find each side's binary: `which -a go` in a terminal; in VS Code run
  `Go: Locate Configured Go Tools`.
- Point the editor at the shell's Go: set `go.alternateTools.go` to the path `command -v go`
  prints, or `go.goroot` to what `go env GOROOT` prints (the quick fix *Use installed goX.Y.Z
  (path)* does it when your shell's Go is an installed SDK); or remove the stale Go from `PATH`."#;

pub const GOROOT_MISSING: &str = r#"GOROOT is set (in the environment, the go env file, `go.goroot` or `.idea/workspace.xml`) to a
directory that does not exist: often a Homebrew Cellar path such as
`/opt/homebrew/Cellar/go/1.21.5/libexec` removed by `brew upgrade`, or an uninstalled SDK.

**Why it breaks:** every go command stops at once with
`go: cannot find GOROOT directory: /opt/homebrew/Cellar/go/1.21.5/libexec`, and VS Code warns
`go.goroot setting is ignored. <dir> is not a valid GOROOT directory.`

**How to fix:**
- GOROOT rarely needs to be set: remove it where the report shows it is configured
  (`unset GOROOT` in your profile, delete `go.goroot`) and let `go` find its own root.
- If it must be set, use a stable path such as `/opt/homebrew/opt/go/libexec`, or what
  `go env GOROOT` prints once the setting is gone.
- A stale value in the go env file (Go ≤ 1.26): `GOROOT=/path/to/real/go go env -u GOROOT`;
  Go 1.27 refuses that, so delete the `GOROOT=` line from the file itself."#;

pub const GOROOT_DANGLING_SYMLINK: &str = r#"GOROOT, or one hop of the symlink chain that leads to it, points to a path that no longer exists.
The report shows the whole chain, e.g. `/usr/local/go -> /opt/go1.21.13 -> (missing)`. This happens
when an SDK directory is removed but a convenience link (`/usr/local/go`, `~/go-current`, a
Homebrew `opt` link) is left behind.

**Why it breaks:** to Go a dangling link is a missing directory: every command fails with
`go: cannot find GOROOT directory: /usr/local/go`, and the editor cannot start gopls.

**How to fix:**
- Repoint the broken link at an installed SDK: `ln -sfn /path/to/go1.22.10 /usr/local/go`
  (`ls -l` each hop of the chain to see which one is broken).
- Or stop depending on it: remove the GOROOT setting and let `go` find its own root."#;

pub const GOROOT_NOT_A_GOROOT: &str = r#"GOROOT names a directory that exists but is not a Go installation: it lacks `bin/go`, `src` or
`pkg/tool`. Usual causes: GOROOT pointing at GOPATH (`~/go`), at the `bin` directory, at a parent
such as `/usr/local`, or at a half-extracted archive.

**Why it breaks:** the standard library cannot be found:
`package fmt is not in std (/home/you/go/src/fmt)`, and without `pkg/tool` there is no compiler
or linker. VS Code says `go.goroot setting is ignored. <dir> is not a valid GOROOT directory.`

**How to fix:**
- GOROOT is the directory holding `bin/go`, `src` and `pkg/tool`: `/usr/local/go`, not
  `/usr/local/go/bin` and not `~/go`.
- Better: unset GOROOT and let `go` find its own root (`go env GOROOT` shows it).
- Reinstall Go if the tree is incomplete."#;

pub const GOROOT_UNREADABLE: &str = r#"GOROOT exists, but the current user cannot read it, or its `bin/go` is not executable: a
root-owned install unpacked with a restrictive umask, permissions changed by hand, or a
filesystem mounted `noexec`.

**Why it breaks:** the editor cannot start `go` at all (`permission denied`), and builds fail as
soon as the compiler cannot open the standard library or the tools in `pkg/tool`.

**How to fix:**
- Make the tree readable and the tools executable:
  `sudo chmod -R a+rX /usr/local/go` (`X` keeps execute bits on `bin/` and `pkg/tool/`).
- Check the mount: `findmnt -T /usr/local/go` must not list `noexec`.
- Or install Go under your home (`~/sdk/go1.22.10`) and put its `bin` on `PATH`."#;

pub const GOROOT_VERSION_SKEW: &str = r#"The `go` binary that runs is one version, but the GOROOT it is told to use (the GOROOT variable,
`go.goroot`, or the go env file) holds another version's standard library and tools: its
`VERSION` file disagrees with the binary. Typical after upgrading Go while an old
`export GOROOT=...` stays in a profile, or when a version manager switches `go` but not GOROOT.

**Why it breaks:** `go env` still looks fine (it shows the foreign GOTOOLDIR but the binary's
GOVERSION), yet every build fails package by package with
`compile: version "go1.21.13" does not match go tool version "go1.22.10"`.

**How to fix:**
- Unset GOROOT wherever it is configured (profile, `go env -u GOROOT`, editor settings) so
  `go` uses its own root.
- Or run that root's own binary: put `$GOROOT/bin` first on `PATH`.
- Check: `go version` and `cat "$(go env GOROOT)/VERSION"` must name the same version."#;

pub const GOROOT_EXPLICIT: &str = r#"GOROOT is set explicitly although the `go` binary would find exactly this root by itself
(`go` locates its root from its own path, `bin/go` → `..`, following symlinks).

**Why it matters:** nothing is broken today, but a pinned GOROOT causes most GOROOT trouble
later: after an upgrade, or when a version manager (gvm, goenv, asdf, mise) switches `go`, the
stale value stays and builds fail with
`compile: version "go1.21.13" does not match go tool version "go1.22.10"` or
`go: cannot find GOROOT directory: /x`. The Go team discourages setting GOROOT.

**How to fix:** remove the setting where the report shows it: the `export GOROOT=...` line of
your shell profile, `go.goroot` in VS Code settings, or `go env -u GOROOT` for the go env file.
Then check that `go env GOROOT` still prints the same directory."#;

pub const GOROOT_IN_ENV_FILE: &str = r#"The go env file (`go env GOENV`; by default `~/.config/go/env` on Linux and
`~/Library/Application Support/go/env` on macOS) holds a `GOROOT=` line, usually written by
`go env -w GOROOT=...`.

**Why it matters:** the file applies to every `go` on the machine, so switching versions keeps
the old root; if that directory goes away every command fails with
`go: cannot find GOROOT directory: /x`, including the `go env -u` that would repair it. The line
also decides which `$GOROOT/go.env` supplies the GOPROXY, GOSUMDB and GOTOOLCHAIN defaults.
Go 1.27 refuses `go env -w GOROOT` and `-u GOROOT` (`go: GOROOT cannot be modified`) but still
honours an existing line.

**How to fix:**
- Go 1.21–1.26: `go env -u GOROOT` (if `go` cannot run: `GOROOT=/path/to/real/go go env -u GOROOT`).
- Go 1.27 and later: delete the `GOROOT=` line from the file with an editor (the doctor's fix does)."#;

pub const GOCACHE_RELATIVE: &str = r#"GOCACHE (or `XDG_CACHE_HOME`, from which the default is derived) is a relative path such as
`.cache` or `go-build`. Go needs an absolute path; `go env GOCACHE` then prints `off`, which hides
the real cause.

**Why it breaks:** every build fails with
`build cache is required, but could not be located: GOCACHE is not an absolute path`.
With a relative `XDG_CACHE_HOME`, Go ≤ 1.23 silently creates `./<dir>/go-build` in whatever
directory you build from, and Go 1.24+ fails (`... path in $XDG_CACHE_HOME is relative`).

**How to fix:**
- Use an absolute path: `go env -w GOCACHE="$HOME/.cache/go-build"`, or fix the export in your
  profile (`export GOCACHE="$HOME/.cache/go-build"`).
- Or drop the setting and use the default: `go env -u GOCACHE` / `unset GOCACHE`."#;

pub const GOCACHE_OFF: &str = r#"GOCACHE is literally `off`. Turning the build cache off was a Go 1.10/1.11 option that old CI
scripts and dotfiles still carry; since Go 1.12 the cache is mandatory.

**Why it breaks:** every `go build`, `go test` and gopls load fails with
`build cache is disabled by GOCACHE=off, but required as of Go 1.12`.

**How to fix:**
- Remove the setting: `go env -u GOCACHE` when it is in the go env file, or delete
  `export GOCACHE=off` from your profile or CI configuration.
- To start from an empty cache instead, run `go clean -cache`, or use a throw-away cache in CI:
  `GOCACHE="$(mktemp -d)" go test ./...`."#;

pub const GOCACHE_UNLOCATABLE: &str = r#"GOCACHE is not set and Go cannot derive its default, `os.UserCacheDir()/go-build`: on Linux that
needs `$XDG_CACHE_HOME` or `$HOME` (macOS `$HOME`, Windows `%LocalAppData%`), and neither is set.
This happens in minimal containers, systemd services, cron jobs and editors started with a
stripped environment. `go env GOCACHE` prints `off` in this case.

**Why it breaks:** every build fails with
`build cache is required, but could not be located: GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined`.

**How to fix:**
- Give the process a home: `Environment=HOME=/home/you` in a systemd unit, `ENV HOME=/root` in a
  Dockerfile, `HOME=/home/you` at the top of a crontab.
- Or set an explicit absolute cache: `mkdir -p /var/cache/go-build` and
  `export GOCACHE=/var/cache/go-build`."#;

pub const GOCACHE_UNWRITABLE: &str = r#"The build cache directory, or the parent it would be created in, is not writable by the user
running Go: a cache created by `sudo go build`, a read-only mount, or a directory owned by
another account.

**Why it breaks:** builds fail before compiling anything, e.g.
`failed to initialize build cache at /home/you/.cache/go-build: mkdir /home/you/.cache/go-build/00: permission denied`
or, when the parent is read-only, `... mkdir <dir>/sub: permission denied`.

**How to fix:**
- Take the cache back: `sudo chown -R "$(id -u):$(id -g)" "$(go env GOCACHE)"`.
- Or use a fresh cache elsewhere: `mkdir -p "$HOME/.cache/go-build"` and
  `go env -w GOCACHE="$HOME/.cache/go-build"`.
- Do not run `sudo go build` / `sudo go test`: they write root-owned cache entries."#;

pub const GOCACHE_NOT_A_DIRECTORY: &str = r#"GOCACHE, or one of its parent directories, is a regular file rather than a directory: some tool
created `~/.cache` as a file, or GOCACHE points at a file by mistake.

**Why it breaks:** Go cannot create the cache, and every build fails with
`failed to initialize build cache at <dir>: mkdir <path>: not a directory`.

**How to fix:**
- Look at the path in the report: `ls -ld ~/.cache ~/.cache/go-build`.
- Move the file away and create the directory:
  `mv ~/.cache ~/.cache.bak && mkdir -p ~/.cache/go-build`.
- Or point the cache somewhere valid: `go env -w GOCACHE="$HOME/.go-build-cache"`."#;

pub const GOCACHE_NETWORK_FS: &str = r#"The build cache lives on a network or FUSE filesystem (NFS, SMB/CIFS, sshfs, …), usually because
the home directory is network-mounted.

**Why it matters:** Go reads and writes thousands of small files in the cache and relies on file
locks and atomic renames. On a network filesystem that is slow (builds and gopls loads take many
times longer) and lock-prone: builds that hang or fail now and then, especially when several
machines share the same home.

**How to fix:** keep the cache on a local disk:
`mkdir -p /var/tmp/$USER/go-build && go env -w GOCACHE=/var/tmp/$USER/go-build`.
It is only a cache: nothing is lost by moving it, and `go clean -cache` empties the old one."#;

pub const GOCACHE_FOREIGN_OWNER: &str = r#"The build cache exists and is populated, but its files belong to another user: usually root,
after `sudo go build` / `sudo go test`, or a container that ran as root with your home mounted.

**Why it breaks:** as soon as Go needs one of those entries it fails with
`open <dir>/5d/5d6a…-d: permission denied`, seemingly at random depending on what is cached.

**How to fix:**
- Empty it (it is only a cache): `go clean -cache` removes every entry and keeps the directory
  where it is. The quick fix runs it with your shell's go after showing what
  `go clean -cache -n` lists and its size, reports progress and can be cancelled. It works
  when you may delete the entries (go running as root, or a shared cache whose subdirectories
  are group-writable); where it fails with `permission denied`, use one of the next two.
- Take ownership back: `sudo chown -R "$(id -u):$(id -g)" "$(go env GOCACHE)"`.
- Or delete it: `sudo rm -rf "$(go env GOCACHE)"`.
- Do not run go with sudo; run containers as yourself (`docker run -u "$(id -u):$(id -g)"`)."#;

pub const GOCACHE_MISMATCH: &str = r#"The editor and your shell use different build caches (different GOCACHE values): GOCACHE or
`XDG_CACHE_HOME` is exported in a shell profile the editor never read, or set only in
`go.toolsEnvVars`.

**Why it matters:** nothing fails outright, but everything is compiled twice: gopls and tests run
from the editor cannot reuse what `go build` in the terminal cached and vice versa, so both are
slower and the disk holds two caches. When one of them is unusable, builds fail on that side only.

**How to fix:** use one cache on both sides. Store it where every Go process sees it,
`go env -w GOCACHE="$HOME/.cache/go-build"`, and remove the `export GOCACHE=` line from your
profile; or remove the editor's override `go.toolsEnvVars.GOCACHE`. Then delete the unused
directory."#;

pub const GOPROXY_OFF: &str = r#"GOPROXY is `off`: the go command may not download modules from anywhere (only paths matched by
GONOPROXY/GOPRIVATE are still fetched directly).

**Why it breaks:** any module not already in the module cache fails with
`go: module lookup disabled by GOPROXY=off`, and toolchain switching fails with the misleading
`go: download go1.99.0 for linux/amd64: toolchain not available`.

**How to fix** (unless this is a deliberate offline or vendored setup):
- Restore the default: `go env -u GOPROXY` (the default `https://proxy.golang.org,direct` comes
  from `$GOROOT/go.env`), or `go env -w GOPROXY=https://proxy.golang.org,direct`.
- If it is exported (`export GOPROXY=off` in a profile or CI), remove that line."#;

pub const GOPROXY_EMPTY: &str = r#"GOPROXY is present but lists no entries: usually `go env -w GOPROXY=` (an empty line in the go
env file) or a value such as `,`. An empty line in the env file hides the default from
`$GOROOT/go.env`, so `https://proxy.golang.org,direct` no longer applies.

**Why it breaks:** every module download fails with
`go: GOPROXY list is not the empty string, but contains no entries`. The same habit often empties
GOSUMDB too (`verifying module: missing GOSUMDB`), and toolchain switching silently stops.

**How to fix:**
- Remove the empty value so the default returns: `go env -u GOPROXY`.
- Or set it explicitly: `go env -w GOPROXY=https://proxy.golang.org,direct`.
- `GOPROXY=` in the OS environment counts as unset; only the env file line matters here."#;

pub const GOPROXY_INVALID: &str = r#"GOPROXY contains an entry Go cannot use: a word without a scheme, a scheme other than `https`,
`http` or `file`, a `file://` URL with a host, or a bad `%` escape.

**Why it breaks:** the error only appears when a download is needed, far from the cause:
`go: invalid proxy URL missing scheme: foo`,
`go: invalid proxy URL scheme (must be https, http, file): ftp://x`,
`go: invalid file:// proxy URL with non-path elements: file://host/x`, or
`go: parse "%zz": invalid URL escape "%zz"`.
Some typos are accepted silently: `http//x` becomes `https://http/x`.

**How to fix:** write every entry as a full URL, separated by `,` (fall through on 404/410) or
`|` (fall through on any error), optionally ending with `direct` or `off`:
`go env -w GOPROXY=https://goproxy.example.com,https://proxy.golang.org,direct`."#;

pub const GOPROXY_INSECURE_HTTP: &str = r#"A GOPROXY entry uses plain `http://`. Module zips and go.mod files then travel unencrypted and
unauthenticated: anyone on the network path can read them and, for modules the checksum database
does not cover, alter them. Credentials in such a URL are sent in clear text.

**Why it matters:** GOSUMDB still protects public modules, but private modules (GOPRIVATE,
GONOSUMDB) have no other protection, and internal proxies are exactly where they live.

**How to fix:** use `https://` for the proxy:
`go env -w GOPROXY=https://goproxy.corp.example,direct`. If the proxy truly has no TLS and sits on
a trusted network, keep GOSUMDB on so that at least public modules stay verified."#;

pub const GOPROXY_CREDENTIALS: &str = r#"A GOPROXY entry carries credentials in its URL (`https://user:token@host/...`). go-env-doctor
always shows such values redacted (`user:***@`), as Go itself does.

**Why it matters:** the value ends up in places not meant for secrets: `go env` output pasted
into bug reports, CI logs, editor settings files committed to git (`.vscode/settings.json`),
shell history and process listings. Anyone who reads them can use your proxy account.

**How to fix:**
- Remove the credentials from GOPROXY: `go env -w GOPROXY=https://goproxy.corp.example,direct`.
- Give them to Go through `~/.netrc` (`machine goproxy.corp.example login you password TOKEN`,
  `chmod 600 ~/.netrc`) or, with Go 1.24+, `GOAUTH`.
- Rotate the token if the value was ever committed or logged."#;

pub const GOPROXY_MISMATCH: &str = r#"The editor and your shell download modules through different proxies (different GOPROXY values):
typically GOPROXY is exported in `~/.bash_profile` or `~/.zshrc`, which a dock-launched editor
never reads, or it is set only in `go.toolsEnvVars`.

**Why it breaks:** gopls resolves imports through one proxy and `go build` through another: a
private module that resolves in the terminal is not found in the editor (or the reverse),
downloads hang behind a firewall on one side only, and `go.sum` updates differ.

**How to fix:**
- Store the value where every Go process sees it: `go env -w GOPROXY=<the shell's value>`, then
  remove the `export GOPROXY=` line from your profile.
- Or make the editor follow the shell: set `go.toolsEnvVars.GOPROXY` to the shell's value, or
  remove the editor's own override."#;

pub const GOSUMDB_OFF: &str = r#"GOSUMDB is `off`: downloaded modules are not checked against the checksum database
(sum.golang.org), so a compromised proxy or network can serve altered code for any module not
already recorded in `go.sum`.

**Why it matters:** with GOPROXY `direct` or `off` nothing else verifies modules, so it is an
error there. Toolchain downloads always need the database and fail with
`verifying module: checksum database disabled by GOSUMDB=off`.

**How to fix:**
- Restore verification: `go env -u GOSUMDB` (default `sum.golang.org`, from `$GOROOT/go.env`).
- Exclude only private modules instead: `go env -w GOPRIVATE=git.corp.example,github.com/your-org`
  (GOPRIVATE is the default of GONOSUMDB and GONOPROXY).
- Where sum.golang.org is blocked: `go env -w GOSUMDB=sum.golang.google.cn`."#;

pub const GOSUMDB_EMPTY: &str = r#"GOSUMDB is present but empty: usually a `GOSUMDB=` line in the go env file written by
`go env -w GOSUMDB=`, which also hides the default `sum.golang.org` from `$GOROOT/go.env`.

**Why it breaks:** the first module that needs verification fails with
`verifying module: missing GOSUMDB`, and toolchain switching stops working.

**How to fix:**
- Restore the default: `go env -u GOSUMDB`,
- or set it explicitly: `go env -w GOSUMDB=sum.golang.org`.
- To skip verification for private modules only, use GOPRIVATE or GONOSUMDB, never an empty
  GOSUMDB: `go env -w GOPRIVATE=git.corp.example`."#;

pub const GOSUMDB_INVALID: &str = r#"GOSUMDB does not have a valid form. Accepted values are `off`, `sum.golang.org`,
`sum.golang.google.cn`, a verifier key `<name>+<hash>+<key>`, or a key followed by the database
URL: `<name>+<hash>+<key> https://sum.example.com`.

**Why it breaks:** the first download that needs verification fails with
`verifying module: invalid GOSUMDB: malformed verifier id` or
`verifying module: invalid GOSUMDB: too many fields`.

**How to fix:**
- Restore the default: `go env -u GOSUMDB`.
- For a private checksum database, copy the exact key its operator publishes:
  `go env -w GOSUMDB="sum.corp.example+<hash>+<key> https://sum.corp.example"`."#;

pub const GOINSECURE_BROAD: &str = r#"GOINSECURE contains a pattern that matches far more than a host or two, such as `*`, `*.com` or
a bare top-level domain. GOINSECURE lets the go command fetch matching modules over plain HTTP
and accept invalid HTTPS certificates.

**Why it matters:** every module whose path matches may be fetched without TLS verification,
open to interception. GOINSECURE does not skip the checksum database, but private modules
(GOPRIVATE, GONOSUMDB) have no other protection.

**How to fix:** list only the hosts that need it, as comma-separated path-prefix globs:
`go env -w GOINSECURE=git.internal.example,*.lab.internal.example`. Remove it once the server has
a valid certificate: `go env -u GOINSECURE`."#;

pub const GONOSUMDB_BROAD: &str = r#"GONOSUMDB, or GOPRIVATE (its default), contains a pattern that matches almost every module, such
as `*`, `*.com` or `github.com`. Matching modules are not checked against the checksum database.

**Why it matters:** public dependencies lose their tamper protection: a compromised proxy or a
rewritten tag is accepted silently and recorded in `go.sum`. GOPRIVATE also sets GONOPROXY, so a
broad pattern also sends public modules around the proxy, straight to their origin servers.

**How to fix:** name only your private module prefixes (comma-separated `path.Match` globs on
path prefixes): `go env -w GOPRIVATE=github.com/your-org,git.corp.example`, and drop a broad
GONOSUMDB when GOPRIVATE already covers it: `go env -u GONOSUMDB`."#;

pub const GOFLAGS_INVALID: &str = r#"GOFLAGS holds a flag the go command does not know or cannot parse. `go env` does not report the
problem, so the value looks harmless there; `go version` and every other command do.

**Why it breaks:** every command fails before doing anything, e.g.
`go: parsing $GOFLAGS: unknown flag -foo`; removed flags fail too:
`go: -insecure flag is no longer supported; use GOINSECURE instead`. gopls cannot load packages.

**How to fix:**
- See the value and where it comes from in the report (or `go env GOFLAGS`).
- Remove it: `go env -u GOFLAGS`, or delete the export from your profile or `go.toolsEnvVars`.
- Or fix it: flags are space-separated `-name=value` pairs, e.g. `go env -w GOFLAGS=-mod=mod`."#;

pub const GOFLAGS_INSECURE: &str = r#"GOFLAGS contains a flag that weakens how modules are fetched or verified, such as `-insecure`
(fetch over plain HTTP and skip certificate checks). Because GOFLAGS applies to every go command,
the weakening is silent and global: in the editor, in the terminal, in every project.

**Why it matters:** a flag added for one troubleshooting session keeps applying to every build.
Go 1.17 and later reject `-insecure` outright:
`go: -insecure flag is no longer supported; use GOINSECURE instead`.

**How to fix:** remove the flag (`go env -u GOFLAGS`, or edit the export in your profile) and,
if one host really needs plain HTTP, scope it: `go env -w GOINSECURE=host.example`."#;

pub const GOTOOLCHAIN_INVALID: &str = r#"GOTOOLCHAIN has a value the go command cannot parse. Valid forms: `local`, `auto`
(= `local+auto`), `path` (= `local+path`), a toolchain name such as `go1.22.10`, or
`<name>+auto` / `<name>+path`.

**Why it breaks:** every command fails, e.g. `go: invalid GOTOOLCHAIN "bogus"`,
`go: invalid GOTOOLCHAIN "local+foo": only version suffixes are +auto and +path`, or
`go: invalid toolchain: go1.22 is a language version but not a toolchain version (go1.22.x)`.
Only `go env GOTOOLCHAIN` and `go env -w GOTOOLCHAIN=...` still work.

**How to fix:**
- In the go env file: `go env -w GOTOOLCHAIN=auto` (it works even in this state).
- Exported in a profile or CI: correct or remove the `export GOTOOLCHAIN=` line.
- Use full toolchain versions: `go1.22.10`, not `go1.22`."#;

pub const TOOLCHAIN_TOO_OLD: &str = r#"go.mod or go.work requires a newer Go (its `go` or `toolchain` line) than the Go this side
runs, and this side may not switch: GOTOOLCHAIN is `local` (set in the go env file, a setting,
or `$GOROOT/go.env`, where some distributions ship it; located there too) or go.mod says
`toolchain default`.

**Why it breaks:** every command in the module fails:
`go: go.mod requires go >= 1.23 (running go 1.22.10; GOTOOLCHAIN=local)` or
`go: go.mod requires go >= 1.23 (running go 1.22.10; go.mod sets toolchain default)`, and gopls
cannot load the workspace.

**How to fix:**
- use a Go already installed (quick fix *Use installed goX.Y.Z (path)*; `go-env-doctor sdks`)
  or a newly installed one on this side (`PATH`, `go.goroot`), or
- let Go fetch it once into the module cache: `go env -w GOTOOLCHAIN=auto`, or
- lower the requirement if the module does not need it: `go mod edit -go=1.22`."#;

pub const TOOLCHAIN_WILL_DOWNLOAD: &str = r#"go.mod or go.work asks for a newer Go than this side runs, and GOTOOLCHAIN allows switching
(`auto`, the default from `$GOROOT/go.env`): the first go command in this module downloads the
required toolchain and runs it instead of the installed Go.

**Why it matters:** that first command is slow and needs the network and a module proxy:
`go: downloading go1.23.0 (linux/amd64)`. Offline or behind a broken proxy it fails; the editor
and the terminal may also end up on different versions. When the configuration alone already
rules the download out (no proxy in GOPROXY, GOPRIVATE covering golang.org, GOSUMDB=off, a bare
`go 1.N` line with an old Go), the finding is `toolchain-download-fails` instead.

**How to fix** (if unwanted): install the required version and use it on both sides, or forbid
switching with `go env -w GOTOOLCHAIN=local` (the requirement then becomes a visible error).
Downloaded toolchains live in `$(go env GOMODCACHE)/golang.org/toolchain@...`."#;

pub const TOOLCHAIN_NOT_IN_PATH: &str = r#"GOTOOLCHAIN is `path` (or `<name>+path`): Go may switch to a newer toolchain, but only by finding
a `go1.X.Y` command on `PATH`, never by downloading one. The version go.mod needs is not there.

**Why it breaks:** every command in the module fails with `go: cannot find "go1.23.0" in PATH`.

**How to fix:**
- Install that exact toolchain as a command on `PATH`:
  `go install golang.org/dl/go1.23.0@latest && go1.23.0 download`
  (it lands in `$(go env GOPATH)/bin`, which must be on `PATH`).
- Or allow downloads: `go env -w GOTOOLCHAIN=auto`."#;

pub const GOWORK_GO_TOO_LOW: &str = r#"A go.work lists an older Go on its `go` line than one of the modules it `use`s requires
(a go.work without a `go` line stands for go 1.18).

**Why it breaks:** from Go 1.21 on, every go command in the workspace refuses it:
`go: module svc/a listed in go.work file requires go >= 1.25.0, but go.work lists go 1.22; to
update it: go work use`. gopls cannot load the workspace either.

**How to fix:** raise the go.work `go` line to the highest `go` line of its modules (the quick
fix does exactly that, as `go work use` would). If the side's Go is older than that version and
GOTOOLCHAIN forbids switching, a `toolchain-too-old` follows: use a newer Go for that side."#;

pub const GOWORK_USE_MISSING: &str = r#"A go.work `use`s a directory that does not exist or has no go.mod (a module was moved,
renamed or deleted).

**Why it breaks:** every go command in the workspace fails:
`go: cannot load module svc/old listed in go.work file: open svc/old/go.mod: no such file or
directory`, and gopls reports the same error for the whole workspace.

**How to fix:** remove the `use` line (quick fix), or `go work use -r .` to list exactly the
modules that exist."#;

pub const GOWORK_MODULE_NOT_USED: &str = r#"A module lies under a go.work that does not `use` it.

**Why it breaks:** go commands run in that module fail: `current directory is contained in a
module that is not one of the workspace modules listed in go.work. You can add the module to
the workspace using: go work use .` — while gopls (v0.15 and later) loads the module in a view
of its own with `GOWORK=off`, so the editor works and the terminal does not, and the go.work's
`replace` lines do not apply in the editor.

**How to fix:** add the module to the go.work (quick fix: the `use` lines `go work use` would
write), or, if it should stay out of the workspace, run its commands with `GOWORK=off`."#;

pub const GOWORK_MISMATCH: &str = r#"The editor and the shell use different go.work files for the module, or one of them
none: GOWORK is set on one side only (`GOWORK=off` in `go.toolsEnvVars` or gopls' `build.env`,
or exported by a shell profile).

**Why it matters:** in workspace mode the go.work decides which modules are built together, its
`replace` lines and its `go`/`toolchain` lines; the two sides then resolve different
dependencies, and errors show in one place and not the other.

**How to fix:** set GOWORK in one place for both, usually nowhere (cmd/go finds the go.work
itself); the quick fix removes the editor's setting."#;

pub const WORKSPACE_WALK_TRUNCATED: &str = r#"The search for go.mod and go.work files under the folder stopped before the end (more
than 200 000 directories, or more than 3 s). Modules deeper in the tree were not checked.

**How to fix:** exclude large generated or vendored trees with gopls' `directoryFilters` (the
same setting limits gopls itself), e.g. `"gopls": {"build.directoryFilters": ["-third_party"]}`,
or open the module you work on rather than a huge parent directory."#;

pub const ENV_FILE_SHADOWED: &str = r#"A value set in the go env file (`go env -w KEY=VALUE`) is overridden by an OS environment
variable, but on one side only: e.g. your shell profile exports GOPROXY while the editor, started
from the dock, does not, so the editor uses the file's value and the shell the exported one.

**Why it matters:** the two sides silently behave differently, and `go env -w` seems not to work:
`warning: go env -w GOPROXY=... does not override conflicting OS environment variable`.
The OS environment always wins when it is non-empty.

**How to fix:** keep each setting in one place. Usually remove the `export KEY=...` line from
your shell profile and keep the env-file value (`go env -w KEY=VALUE`), which every process sees;
or remove the env-file value (`go env -u KEY`) and export the variable for the editor too."#;

pub const GOPATH_RELATIVE: &str = r#"A GOPATH entry is a relative path (e.g. `go` or `./gopath`); GOPATH entries must be absolute.

**Why it breaks:** the go command refuses it:
`go: GOPATH entry is relative; must be absolute path: "rel"`. Depending on where the value comes
from this stops commands or `go env -w`, and the editor and gopls cannot find the module cache
(`$GOPATH/pkg/mod`) or the tools installed in `$GOPATH/bin`.

**How to fix:**
- Use an absolute path: `go env -w GOPATH="$HOME/go"` or `export GOPATH="$HOME/go"`.
- Or unset it: the default `$HOME/go` suits most people (`go env -u GOPATH`).
- In VS Code, `go.gopath` may use `${workspaceFolder}` or a leading `~`, not a relative path."#;

pub const GOPATH_TILDE: &str = r#"A GOPATH entry starts with `~`, e.g. `GOPATH="~/go"` quoted in a profile, written to the go env
file, or typed into editor settings. Go does not expand `~`; only shells do, and only unquoted.

**Why it breaks:** the go command refuses it:
`go: GOPATH entry cannot start with shell metacharacter '~': "~/go"`.

**How to fix:**
- Write the home directory out: `go env -w GOPATH="$HOME/go"` (the shell expands `$HOME`
  before Go sees it), or `export GOPATH="$HOME/go"` in your profile.
- Or unset GOPATH: the default is `$HOME/go`."#;

pub const GOBIN_NOT_ON_PATH: &str = r#"GOBIN (or `$GOPATH/bin` when GOBIN is unset), where `go install` puts commands, is not on this
side's `PATH`.

**Why it matters:** tools you install (`go install golang.org/x/tools/gopls@latest`, `dlv`,
`staticcheck`, `go1.X.Y` toolchains) are not found by name: `command not found` in the terminal,
or the editor offering to install tools that are already installed.

**How to fix:** add it to `PATH` in your profile:
`export PATH="$PATH:$(go env GOPATH)/bin"` (or `$(go env GOBIN)` if you set GOBIN). A
dock-launched editor needs the same `PATH`: start it from a terminal or log out and in again."#;

pub const SHELL_PROBE_FAILED: &str = r#"go-env-doctor could not read your login shell's environment. It runs your shell the way VS Code
does (`$SHELL -i -l -c ...`, in the workspace folder, 10 s timeout) and the shell timed out,
exited with an error, or printed no environment; the report says which and how long it took.
Without it the editor cannot be compared with your terminal.

**Why it matters:** VS Code resolves the shell environment the same way, so it likely fails too:
`Unable to resolve your shell environment in a reasonable time. Please review your shell configuration and restart.`
or `Unable to resolve your shell environment: Unexpected exit code from spawned shell (code 1, signal null)`.

**How to fix:**
- Time your startup: `time $SHELL -i -l -c true`; look for slow plugin managers, network calls,
  or commands that wait for input (`read`, prompts).
- Skip slow work when `VSCODE_RESOLVING_ENVIRONMENT=1` is set.
- Probe differently with `--shell PATH` or `--shell-timeout SECS`, or skip it with `--no-shell`."#;

pub const SHELL_PROBE_SLOW: &str = r#"Your login shell took more than 3 seconds to start and print its environment (`$SHELL -i -l -c`,
run the way VS Code does).

**Why it matters:** VS Code waits for this at every start before extensions get an environment,
and gives up after 10 seconds (then the editor runs with a partial environment); every new
terminal pays the same price.

**How to fix:**
- Measure: `time $SHELL -i -l -c true`; for zsh, `zmodload zsh/zprof` at the top of `~/.zshrc`
  and `zprof` at its end show what is slow.
- Lazy-load version managers (nvm, pyenv, conda), avoid network calls in rc files, and skip heavy
  setup when `VSCODE_RESOLVING_ENVIRONMENT=1` is set."#;

pub const SETTINGS_UNPARSEABLE: &str = r#"A settings file the editor reads (`.vscode/settings.json`, a `*.code-workspace` file, the user
`settings.json`, or `.idea/workspace.xml`) cannot be parsed, or a settings file or the go env
file cannot be read at all (not a regular file — a FIFO, a device — larger than 16 MiB, or not
readable). The report points at the line and column of the first syntax error, or says why the
file was not read.

**Why it matters:** VS Code settings are JSON with comments; a syntax error (a missing comma, an
unclosed string or brace) makes the editor ignore part or all of the file, so the Go settings in
it silently do not apply. go-env-doctor never edits a file it cannot parse, so no fix is offered.

**How to fix:** open the file at the reported position and repair the syntax (VS Code underlines
it; `Preferences: Open Workspace Settings (JSON)` opens the folder's file), then run
`go-env-doctor check` again."#;

pub const GOMOD_INVALID: &str = r#"The module's `go.mod` (or the workspace's `go.work`) is a file cmd/go refuses: a syntax error
(an unterminated `require (` block, an unknown directive), a repeated `go` line, a `go` version
that does not match `1.23.0` (`go banana`), a version no Go release can have
(`go 1.99999999999999999999`), or a file that cannot be read at all (not a regular file, too large,
no permission). The report quotes cmd/go's own wording where it has one (`go.mod:4: repeated go
statement`) and points at the offending line.

**Why it matters:** every go command in the module fails (`go: errors parsing go.mod:`), and so
does gopls: no completion, no diagnostics, no builds — in the editor and in the terminal alike.

**How to fix:** open the file at the reported line and correct it (`go mod edit -go=1.22` rewrites
the `go` line), or restore it from version control."#;

pub const GO_FAILED: &str = r#"The `go` one side runs (the editor's or your login shell's) could not report its environment:
`go env -json` exited with an error, printed something that is not JSON (or far too much), or
did not answer within its time limit and was killed. The report names the side, the command, and
the end of what it printed on stderr, or how long it was given.

**Why it matters:** the editor's tools (gopls, test runners, debuggers) run the same `go`; when it
fails here it fails for them, usually with an unhelpful error far from the cause. go-env-doctor
also cannot know that side's Go settings, so other checks are incomplete for it.

**How to fix:** run the command shown in a terminal with the same environment. Common causes: a
wrapper script named `go` earlier on PATH that misbehaves, a broken or half-installed toolchain,
a network file system that hangs, or a setting in the go env file that cmd/go rejects."#;

pub const UNTRUSTED_NOT_EXECUTED: &str = r#"A `go` chosen by the workspace (inside the folder, or named by workspace-level settings:
`go.alternateTools.go` or `go.goroot` in `.vscode/settings.json`, GOROOT in `.idea/workspace.xml`)
was inspected statically (its `VERSION` file and layout) but not run, because the workspace is
not trusted.

**Why it matters:** a cloned repository can ship its own "go" and point the editor at it;
running it just to check the environment would execute untrusted code. Facts that need
`go env` (GOPROXY, GOCACHE, …) are therefore incomplete for that side.

**How to fix:** if you trust this folder, run `go-env-doctor check --trust` (in VS Code, trust
the workspace). Otherwise remove the workspace setting so the editor uses your own Go."#;

/// Appended to the explanation of every finding about the editor's own environment: how each
/// client gets its environment, and what fixes it there (settings files are VS Code's and
/// GoLand's; every other editor inherits the environment it was started with).
pub const IN_OTHER_EDITORS: &str = r#"**In other editors:** only VS Code reads `.vscode/settings.json` and only GoLand reads
`.idea/workspace.xml`; every other editor hands gopls the environment it was started with, plus
its own gopls settings. The language server's quick fix *Give EDITOR your login shell's Go
environment* (`goEnvDoctor.editorSetup`) shows the exact lines; in short:
- **Emacs** (eglot, lsp-mode): `(exec-path-from-shell-initialize)` from the exec-path-from-shell
  package, or `(setenv "PATH" "…")` plus `(setq exec-path (parse-colon-path (getenv "PATH")))`
  in `init.el`; or start Emacs from a login shell (`bash -lc emacs`). Restart eglot afterwards.
- **Neovim**: `vim.env.PATH = "…"` (and `vim.env.GOROOT = nil` to drop a stale one) in
  `init.lua` before the servers start, or start `nvim` from a terminal.
- **Vim** (ALE, vim-lsp): `let $PATH = '…'` in the vimrc, or start Vim from a terminal.
- **Helix**: `environment = { PATH = "…" }` under `[language-server.gopls]` in
  `~/.config/helix/languages.toml`, or start `hx` from a login shell.
- **Zed**: `"lsp": { "gopls": { "binary": { "env": { "PATH": "…" } } } }` in its settings.
- **GoLand / IntelliJ**: *Settings → Go → GOROOT* (stored in `.idea/workspace.xml`), and
  *Go → Go Modules → Environment* for variables.
- **Any other client**: start it from a login shell (`bash -lc your-editor`) or export the
  variables before starting it. Restart the editor's language servers afterwards."#;

pub const TINYGO_MANAGED: &str = r#"The TinyGo extension for VS Code set the editor's Go environment up for a TinyGo target:
"TinyGo: Select Target" runs `tinygo info <target>` and writes `go.toolsEnvVars.GOROOT` (TinyGo's
cached GOROOT, e.g. `~/.cache/tinygo/goroot-<hash>`: Go's standard library merged with TinyGo's
replacements) and `go.toolsEnvVars.GOFLAGS` (`-tags=` with the target's build tags, `tinygo`
among them), so that gopls and the Go tools see the code the way TinyGo compiles it.

**Why it matters:** it does not; the GOROOT differs from your shell's on purpose, and
go-env-doctor never offers to undo it. Real problems are still reported: when the cached GOROOT
is gone (the cache was cleaned, TinyGo was upgraded) you get `goroot-missing`, and TinyGo
compiler flags such as `-no-debug` or `-opt=z` in GOFLAGS, which `go` rejects, are
`goflags-invalid`.

**How to fix:** nothing to fix. To change the target pick another one with
"TinyGo: Select Target"; the target `-` removes both settings and goes back to plain Go."#;

pub const TOOLCHAIN_DOWNLOAD_FAILS: &str = r#"go.mod or go.work asks for a newer Go than this side runs, GOTOOLCHAIN allows switching, and the
download cannot succeed: toolchains exist only as the module `golang.org/toolchain` on module
proxies, always verified against the checksum database (they cannot be in go.sum). Causes:
- GOPROXY does not start with a proxy (`off`, `direct,…`), or GONOPROXY/GOPRIVATE matches
  `golang.org/toolchain`: `go: download go1.25.0 for linux/amd64: toolchain not available`.
- GOSUMDB=off, or set empty (hiding `$GOROOT/go.env`'s sum.golang.org): `go: download go1.25.0:
  golang.org/toolchain@v0.0.1-go1.25.0.linux-amd64: verifying module: checksum database disabled
  by GOSUMDB=off` (`… missing GOSUMDB`). Only a GOPROXY of one `file://` proxy skips the check.
- A bare `go 1.N` line with a Go before 1.21.11 (1.22.4 in 1.22): it asks for `go1.N`, which no
  proxy has (golang.org/issue/62278): `go: download go1.23 for linux/amd64: toolchain not available`.

**Why it matters:** every go command in the module fails, the editor's too.

**How to fix:** use a new enough installed Go (`go.goroot`, offered); `go env -u GOPROXY` or
`go env -u GOSUMDB`; narrow GOPRIVATE; write `go 1.N.0`, or `GOTOOLCHAIN=go1.N.0+auto` (offered)."#;

pub const TOOL_BUILT_WITH_OLD_GO: &str = r#"gopls, golangci-lint or staticcheck, as the editor finds it (VS Code: `go.alternateTools`, GOBIN,
`go.toolsGopath`, GOPATH/bin, GOROOT/bin, PATH; other clients and the shell: PATH), was built with a
Go older than the module's `go` line. The Go version is read from the binary (what
`go version -m` prints); the tool is never run.

**Why it breaks:** these tools type-check with the language of the Go that built them, whatever
`go` the project uses: gopls reports `package requires newer Go version go1.25 (application built
with go1.22)`; golangci-lint stops with `the Go language version (go1.23) used to build
golangci-lint is lower than the targeted Go version (1.24.1)`.

**How to fix:** the fix rebuilds the same module version into the tool's directory, e.g.
`GOBIN=~/go/bin GOTOOLCHAIN=go1.25.0+auto go install golang.org/x/tools/gopls@v0.16.2` (GOTOOLCHAIN
only when the side's Go is older), run with progress and the usual trust gate; none is offered
when the toolchain cannot be downloaded."#;

pub const TOOL_MISSING: &str = r#"VS Code with the Go extension runs gopls as its language server (`go.useLanguageServer`, on by
default) and finds none where vscode-go looks: an absolute `go.alternateTools.gopls`, the
extension's GOBIN, `bin` of each `go.toolsGopath` and GOPATH entry, `$GOROOT/bin`, then PATH (the
message lists them). Other clients start whatever their configuration names, which go-env-doctor
does not read, and GoLand does not use gopls: nothing is reported for them.

**Why it matters:** vscode-go prompts to install gopls; until then the editor has no completion,
navigation or type checking.

**How to fix:** the fix runs `GOBIN=<dir> go install golang.org/x/tools/gopls@latest` with the
editor's `go`, into the directory vscode-go installs to and searches (a code action with progress,
or `go-env-doctor fix`). If the module needs a newer Go it adds `GOTOOLCHAIN=go1.X.Y+auto` (its
title says when that overrides a GOTOOLCHAIN=local); no fix is offered when that toolchain cannot
be downloaded. A bare `go.alternateTools.gopls` name is looked up instead: install that yourself."#;

pub const TOOL_WRONG_ARCH: &str = r#"A tool the editor runs (gopls, dlv, a linter or formatter) is built for another operating system
or architecture than this machine's `go env GOHOSTOS`/`GOHOSTARCH`: typically a `GOPATH/bin`
copied from another machine, a `GOARCH`/`GOOS` left set while running `go install`, or an
amd64 build on an Apple Silicon Mac running under Rosetta.

**Why it breaks:** a binary for another OS or architecture does not start (`exec format error`),
and the editor reports the tool as failing or missing; under emulation it starts but runs slowly.

**How to fix:** the quick fix (or `go-env-doctor fix`) reinstalls the same module and version
from its build information with that side's go into the directory it was found in:
`GOBIN=<that dir> go install <package>@<version>`. It is not offered when that go cross-compiles
(GOOS/GOARCH set to another platform): `go install` then refuses to write into GOBIN ("cannot
install cross-compiled binaries when GOBIN is set"); the message names the variable to unset."#;

pub const BUILD_FAILED: &str = r#"`check --deep` builds and runs a tiny program with each side's `go` and environment in a
temporary module (`--deep=cgo`: also one calling C, with `CGO_ENABLED=1`), and one failed: `go build`
exited with an error or ran over 120 s, or the program did not run. The message quotes go's (or the
C compiler's) first lines and, when they point at a variable the side sets, where it is set.

**Why it matters:** it is the proof static checks cannot give: every build, test and `go run` of
that side fails the same way, and gopls compiles through the same cache and toolchain. Typical
causes: GOFLAGS with a flag go rejects (`parsing $GOFLAGS: unknown flag`), a build cache it cannot
write (`failed to initialize build cache`), GOTOOLCHAIN naming a toolchain that cannot be
downloaded (`toolchain not available`), a broken GOROOT (`package fmt is not in std`), and for cgo
no C compiler (`cgo: C compiler "gcc" not found`), missing headers, or CGO_CFLAGS it rejects.

**How to fix:** change the value the finding points at; the report's other findings about it carry
quick fixes. Without a location, build any small module in a terminal with that side's
environment. For cgo install a C compiler or point CC at one; without cgo, set CGO_ENABLED=0."#;

pub const ENV_MISMATCH: &str = r#"A variable that changes what Go does differs between the editor and your login shell (no other code
covers it); the finding says where each side's value comes from. **C toolchain** (CGO_ENABLED, CC,
CXX, CGO_*FLAGS, PKG_CONFIG, and CC's compiler missing from one side's PATH, where cmd/go then turns
cgo off): cgo packages are excluded (`build constraints exclude all Go files`) or fail with the
compiler's errors (`_cgo_export.c:3:10: fatal error: stdlib.h: No such file or directory`).
**Private modules** (GOPRIVATE, GONOPROXY, GONOSUMDB, GOAUTH, NETRC, GIT_SSH_COMMAND, GIT_SSH,
SSH_AUTH_SOCK when missing where modules are fetched directly): `could not read Username for
'https://github.com': terminal prompts disabled`; values that authenticate are never shown. **HTTP
proxies** (HTTPS_PROXY, HTTP_PROXY, NO_PROXY; credentials shown as `***`), **GOFLAGS**, the
**target** (GOOS, GOARCH, GOEXPERIMENT, GOAMD64, GOARM64, …), **module rules** (GO111MODULE,
GOSUMDB, GOINSECURE, GOVCS), and as info **directories** (GOPATH, GOMODCACHE, GOBIN, GOTMPDIR).

**How to fix:** the editor follows the shell: remove or change the setting that makes it differ
(`go.toolsEnvVars.KEY`; GoLand: *Go Modules → Environment*), `go env -w` for a Go variable only the
shell exports, CC set to the compiler's full path, or the editor started with the shell's PATH."#;

pub const GO_UNDER_ROSETTA: &str = r#"On an Apple silicon Mac, a side runs a `go` (or a tool such as `dlv`) built for darwin/amd64.
It runs under Rosetta, reports `GOHOSTARCH=amd64` itself, builds amd64 programs by default and
installs amd64 tools; nothing in `go env` says anything is wrong.

**Why it breaks:** Delve refuses to debug a translated process: `could not launch process: can not
run under Rosetta, check that the installed build of Go is right for your CPU architecture`;
everything runs slower, and cgo links against the wrong architecture's libraries.

**How to fix:** install the darwin-arm64 Go (the `go1.X.Y.darwin-arm64.pkg` installer, or Homebrew
under /opt/homebrew rather than the Intel Homebrew in /usr/local), make sure it comes first on
PATH for the editor and the shell, and reinstall the tools (`go install
github.com/go-delve/delve/cmd/dlv@latest`, `go install golang.org/x/tools/gopls@latest`)."#;

pub const GO_WINDOWS_IN_WSL: &str = r#"Inside WSL, a side runs the Windows `go.exe` (typically from `/mnt/c/Program Files/Go/bin`,
reached through a setting, a GOROOT or an alias). WSL's interop starts it as a Windows program.

**Why it breaks:** the Windows go sees the Linux folder only as a `\\wsl$\…` path, keeps its GOPATH,
GOCACHE and env file on the Windows side, builds Windows binaries, and gopls, tests and the
debugger cannot work with the Linux files.

**How to fix:** install Go inside the WSL distribution (the linux-amd64 archive in /usr/local/go)
and put its `bin` first on PATH; remove the setting that names the Windows go. VS Code should
open the folder through the WSL extension so that its Go extension runs inside WSL."#;

pub const GO_SANDBOXED: &str = r#"Go is seen through a sandbox:
- **Flatpak**: the editor runs in a Flatpak sandbox (`FLATPAK_ID` is set, e.g.
  `com.visualstudio.code`). It sees the sandbox's `/usr` and `/app`, not the system's: the Go,
  C compiler and tools installed on the system are invisible to it, and its PATH starts with
  `/app/bin`.
- **snap**: GOROOT is pinned to one revision of the go snap (`/snap/go/10389`, what `go env
  GOROOT` prints for it), which snapd removes after later refreshes; or `/snap/bin/go` (snapd's
  launcher) fails to start from inside another sandbox, so `go env` fails there.

**How to fix:** for Flatpak, enable the sandbox's Go SDK extension (`flatpak install flathub
org.freedesktop.Sdk.Extension.golang`, and `FLATPAK_ENABLE_SDK_EXT=golang` in the editor's
environment, e.g. with `flatpak override --user --env=FLATPAK_ENABLE_SDK_EXT=golang
com.visualstudio.code`), or install a package of the editor that is not sandboxed. For the snap,
use `/snap/go/current` (it follows refreshes) or leave GOROOT unset."#;

pub const GOROOT_IN_MODCACHE: &str = r#"GOROOT (or the `go` a side runs) is a toolchain cmd/go downloaded into the module cache,
`$GOMODCACHE/golang.org/toolchain@v0.0.1-go1.X.Y.OS-ARCH`, copied from `go env GOROOT` while a
GOTOOLCHAIN switch was active.

**Why it breaks:** the module cache is disposable: `go clean -modcache` deletes the toolchain, and
then every go command of that side fails. Its files are read-only, so it cannot be updated either.

**How to fix:** leave GOROOT unset and let go select the toolchain (GOTOOLCHAIN, the go.mod
`toolchain` line), or install that version for good (`go install golang.org/dl/go1.X.Y@latest`
and `go1.X.Y download`, or the official archive) and point the editor there."#;

pub const GOPATH_IN_GOROOT: &str = r#"A GOPATH entry is GOROOT itself or a directory inside it, typically after unpacking Go into
`~/go` (the default GOPATH) or setting `GOPATH=$GOROOT/…`.

**Why it breaks:** when GOPATH equals GOROOT, cmd/go ignores that GOPATH and warns on every command
(Go 1.22: `warning: GOPATH set to GOROOT (…) has no effect`; Go 1.25: `warning: both GOPATH and
GOROOT are the same directory (…); see https://go.dev/wiki/InstallTroubleshooting`), while modules
are still downloaded into `$GOROOT/pkg/mod`. An entry inside GOROOT is used silently: module
downloads and `go install` write into the Go installation, fail where it is not writable, and
are lost with the next Go upgrade.

**How to fix:** keep the two apart: Go installed in its own directory (e.g. /usr/local/go),
GOPATH unset (the default `$HOME/go`) or set outside GOROOT."#;
pub const ENVRC_NOT_LOADED: &str = r#"The folder's `.envrc` (or the nearest one above it: the one direnv loads) exports a Go
variable (GOROOT, GOPATH, GOPROXY, GOTOOLCHAIN, GOFLAGS) to a value the editor's environment does
not have.

**Why it matters:** direnv loads an `.envrc` only in a shell where its hook runs, at a prompt in
this folder. An editor started from a desktop launcher, a dock or a login session never ran that
hook, and neither does the login shell an editor reads its environment from (it runs a command,
not a prompt). `go` in your terminal then uses the `.envrc`'s value and `go` in the editor does
not: other proxies, another toolchain, other flags.

**How to fix:** start the editor from a terminal in this folder after direnv loaded it (`code .`),
use the editor's direnv integration (for VS Code the *direnv* extension; for Neovim/Emacs their
direnv plugins), or set the same value where the editor reads it (the editor's Go settings, or
`go env -w` for values every side should share)."#;
