"""Commands venvlint does not model, and the ones it models as reading only.

A command the interpreter does not model (`apt-get install`, `git clone`, `make`, a project's script, ...) is never
dropped silently: it is an assumption line that names it, and afterwards absence is unknown below every directory
its user could write and below every path among its arguments (it may have created anything there). Run as root it
may also have added accounts (a package's postinst). The owners and modes the model knows are kept, but what rests
on them from before the command becomes assumed wherever the command could have changed them: below its path
arguments for a command that only installs or fetches files (`CREATES_FILES`), anywhere its user may change for any
other (a script, `make`, `find -exec`), see `FileSystem.opaque_after`. An install from the Debian archive alone
writes less (`from_debian_archive`, measured on the archive's file list: docs/MEASUREMENTS.md). Its exit status is
taken to be 0 (a failing build is not linted), except for queries whose answer venvlint cannot know (`grep -q`,
`dpkg -s`), whose status is unknown.
"""

from __future__ import annotations

import posixpath

from ...model.access import Tri, permits
from ...model.fs import Action, Kind, Knowledge, Node, below
from ...shown import shorten
from .base import ShellContext, Status, UnknownPath, command_text, is_unknown

# Commands that only read: they change nothing in the image (their output may go to a file, which the
# interpreter models as a write).
READ_ONLY = frozenset(
    {
        "echo", "printf", "cat", "ls", "grep", "egrep", "fgrep", "awk", "head", "tail", "sort", "uniq", "tr", "cut",
        "wc", "diff", "cmp", "stat", "du", "df", "readlink", "realpath", "dirname", "basename", "sha256sum",
        "sha512sum", "sha1sum", "md5sum", "cksum", "pwd", "hostname", "nproc", "uname", "date", "whoami", "id",
        "getent", "locale", "printenv", "type", "hash", "ldd", "file", "tree", "true", ":", "sleep", "wait",
        "export", "readonly", "local", "declare", "typeset", "shift", "trap",
        "alias", "unalias", "jq", "yq", "xxd", "od", "base64", "seq", "yes", "expr", "let", "tty", "free", "ps",
        "getconf", "arch", "lscpu", "nvidia-smi", "gpg", "gpgv", "openssl", "column", "rev", "tac", "nl",
        "fold", "fmt", "paste", "join", "comm", "strings", "sync", "find", "sed", "zcat", "xzcat", "bzcat",
        "update-ca-certificates", "ldconfig", "locale-gen", "localedef", "update-locale", "dpkg-reconfigure",
    }
)  # fmt: skip
# Read-only commands whose exit status answers a question about the image that venvlint may not know.
QUERIES = frozenset({"grep", "egrep", "fgrep", "cmp", "diff", "find", "stat", "ls", "readlink", "realpath", "type"})
# Options of read-only commands that make them write after all.
_WRITING_OPTIONS = {
    "sed": ("-i", "--in-place"),
    "find": ("-delete", "-exec", "-execdir", "-ok", "-okdir", "-fprint", "-fprintf", "-fls"),
    "sort": ("-o", "--output"),
    "gpg": ("-o", "--output", "--dearmor", "--import", "--recv-keys", "--keyserver", "--batch"),
    "openssl": ("-out", "req", "genrsa", "genpkey"),
    "update-ca-certificates": (),
}


# Commands that install or fetch files but do not change the owner or mode of what already exists outside the
# paths named on their command line: package managers, downloaders, version control, archive tools, compilers.
CREATES_FILES = frozenset(
    {
        "apt-get", "apt", "aptitude", "dpkg", "dnf", "dnf-3", "yum", "microdnf", "rpm", "apk", "zypper", "pacman",
        "emerge", "curl", "wget", "git", "svn", "hg", "tar", "unzip", "gunzip", "gzip", "bunzip2", "xz", "zstd",
        "7z", "npm", "npx", "yarn", "pnpm", "gem", "bundle", "cargo", "go", "rustup", "gcc", "g++", "cc", "clang",
        "cmake", "ninja", "conda", "mamba", "micromamba", "pipx", "poetry", "pdm", "hatch", "pipenv", "twine",
        "jupyter", "update-alternatives", "ln", "mkfifo", "mknod", "truncate", "dd", "patch", "sed", "envsubst",
        "chpasswd", "passwd", "usermod", "userdel", "groupdel", "gpasswd", "locale-gen", "dpkg-reconfigure",
    }
)  # fmt: skip


# Commands that write only what their arguments name, the directory they run in (`curl -O`, `git clone URL`, `tar
# -x` without -C), the HOME of their user (`~/.wget-hsts`, `~/.gitconfig`) and the temp directory: anything else
# stays as it was, and they add no accounts unless an argument names /etc.
FILE_TOOLS = frozenset(
    {
        "curl", "wget", "git", "svn", "hg", "tar", "unzip", "gunzip", "gzip", "bunzip2", "xz", "zstd", "7z", "ln",
        "mkfifo", "mknod", "truncate", "dd", "patch", "sed", "envsubst",
    }
)  # fmt: skip


# System package managers install where the distribution's policy allows: the Filesystem Hierarchy Standard's trees
# (Debian Policy 9.1.1 requires FHS 3.0; Fedora's and Alpine's packaging follow it). A directory the build made
# elsewhere (`/app`, `/code`, `/workspace`) gets nothing from them, and their arguments are package names.
SYSTEM_PACKAGE_MANAGERS = frozenset(
    {
        "apt-get",
        "apt",
        "aptitude",
        "dpkg",
        "dnf",
        "dnf-3",
        "yum",
        "microdnf",
        "rpm",
        "apk",
        "zypper",
        "pacman",
        "emerge",
    }
)
FHS_TREES = (
    "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/libx32", "/media", "/mnt", "/opt", "/root",
    "/run", "/sbin", "/srv", "/tmp", "/usr", "/var",
)  # fmt: skip
# The Debian archive's packages install nothing below /opt, /srv, /home, /root, /media or /mnt (Debian Policy 9.1, FHS
# 3.0 keep them for the site; measured: bookworm main's Contents-amd64 lists no file there, docs/MEASUREMENTS.md).
# So an `apt-get install` from the distribution's own archive leaves a venv in /opt as it was, unless the build
# added another package source or names a package file (which may install anything anywhere).
DEBIAN_TOOLS = frozenset({"apt-get", "apt", "aptitude", "dpkg"})
DEBIAN_ARCHIVE_TREES = tuple(t for t in FHS_TREES if t not in ("/home", "/media", "/mnt", "/opt", "/root", "/srv"))
_DEBIAN_SOURCES = ("/etc/apt/sources.list", "/etc/apt/sources.list.d")
DEBIAN_SKEL_FILES = (".bash_logout", ".bashrc", ".kshrc", ".mkshrc", ".profile")  # bookworm main's Contents
# Options that point a package manager at another root (it then writes there instead).
_ROOT_OPTIONS = ("--root", "--installroot", "--instdir")


def is_read_only(name: str, words: list[str]) -> bool:
    if name not in READ_ONLY:
        return False
    writing = _WRITING_OPTIONS.get(name)
    if not writing:
        return True
    return not any(w == opt or w.startswith(opt + "=") or (opt == "-i" and w.startswith("-i")) for w in words[1:]
                   for opt in writing)  # fmt: skip


def read_only(sh: ShellContext, name: str, words: list[str]) -> Status:
    """A command that only reads: no effect; the status of a query is unknown."""
    if name in ("true", ":", "echo", "printf", "cat", "export", "sleep", "env"):
        return 0
    return None if name in QUERIES else 0


def not_modelled(sh: ShellContext, words: list[str], what: str = "") -> Status:
    """Say that `words` is not modelled and open the world below what it could have written."""
    shown = shorten(command_text(words))
    sh.assume(f"`{shown}` is not modelled: {what or 'what it creates is unknown'}")
    archive = from_debian_archive(sh, words)
    open_world(sh, words, archive)
    # Unless it only installs or fetches files, it may also have changed owners and modes (a script, `make`,
    # `find -exec chown`, `setfacl`): what rests on them from before it is then assumed.
    name = _name(words)
    paths = tuple(written_paths(sh, words, archive)) if name in CREATES_FILES else None
    sh.fs.record_opaque(sh.cause.line, shown, sh.identity.uid, paths, archive=archive)
    root = sh.identity.is_root or sh.identity.uid is None
    # A package's maintainer scripts add system accounts (`adduser --system`) but leave the ones there alone; a
    # file tool changes accounts only through an argument below /etc (said by `open_world`).
    if (
        root
        and not archive
        and name not in FILE_TOOLS
        and (paths is None or any(p in ("/etc/passwd", "/etc/group", "/etc") for p in paths))
    ):
        sh.users.taint(f"`{shown}` (line {sh.cause.line}, not modelled) may have changed it")
    return 0


def _may_write(sh: ShellContext, path: str, shown: str) -> None:
    """`path` (an argument of a command not modelled) may now exist, with anything below it: missing components
    become nodes whose metadata is unknown (the leaf's kind too), so the listings above stay whole."""
    fs = sh.fs
    path = fs.resolve(posixpath.normpath(path), follow_last=False)  # /bin/x on a merged-/usr image is /usr/bin/x
    missing = []
    p = path
    while fs.get(p) is None and p != "/":
        missing.append(p)
        p = posixpath.dirname(p)
    node = fs.get(p)
    if missing and (node is None or node.kind is not Kind.DIR or node.knowledge is Knowledge.UNKNOWN):
        fs.mark_open(path)  # below a file or a symlink, or where nothing is known: as before
        return
    for m in reversed(missing):
        kind = Kind.DIR if m != path else Kind.FILE  # a FILE of unknown metadata may be a directory (fs.py)
        fs.put(m, Node(kind, None, None, None, Knowledge.UNKNOWN), sh.cause, Action.CREATED,
               f"may be written by `{shown}` (not modelled)")  # fmt: skip
    fs.mark_open(path, with_parent=False)


# Compressors write their output beside the file they are given.
_BESIDE_ARGS = frozenset({"gunzip", "gzip", "bunzip2", "xz", "zstd"})


def _url_names(name: str, words: list[str]) -> list[str] | None:
    """What curl -O, wget and `git clone URL` name their output in the working directory: the URL's last path
    component (without `.git` for a clone); None for other tools or a URL venvlint cannot read."""
    if name not in ("curl", "wget", "git"):
        return None
    names = []
    for w in words[1:]:
        if "://" not in w or is_unknown(w):
            continue
        last = w.split("?", 1)[0].split("#", 1)[0].rstrip("/").rpartition("/")[2]
        if name == "git":
            last = last.removesuffix(".git")
        if not last or last in (".", ".."):
            return None
        names.append(last)
    return names or None


def _writes_cwd(name: str, words: list[str]) -> bool:
    """Whether a file tool writes into the directory it runs in: only when no option or argument names where its
    output goes (`curl -o F`, `wget -O F`/`-P D`, `git clone URL DEST`, `tar -C D`, `unzip -d D`)."""
    opts = [w for w in words[1:] if w.startswith("-")]
    if name == "curl":
        return any(
            w in ("--remote-name", "--remote-name-all", "--remote-header-name")
            or (not w.startswith("--") and ("O" in w[1:] or "J" in w[1:]))
            for w in opts
        )
    if name == "wget":
        return not any(w.startswith(("-O", "--output-document", "-P", "--directory-prefix")) for w in opts)
    if name == "git":
        positional = [w for w in words[1:] if not w.startswith("-")]
        return not (positional[:1] == ["clone"] and len(positional) >= 3)
    if name == "tar":
        return not any(w == "-C" or w.startswith(("--directory", "-C")) for w in opts)
    if name == "unzip":
        return "-d" not in opts
    return name in ("svn", "hg", "patch", "7z")


def writes_only(sh: ShellContext, words: list[str], paths: list[str], what: str) -> Status:
    """A command venvlint does not model but knows the places of (`python -m nltk.downloader`: its data
    directories): said, and only at or below `paths` may anything have appeared or changed; no account changes."""
    shown = shorten(command_text(words))
    sh.assume(f"`{shown}` is not modelled: {what}")
    fs = sh.fs
    for path in paths:
        if fs.get(path) is not None:
            fs.mark_open(path, with_parent=False)
        else:
            fs.open_listing(posixpath.dirname(path))
    fs.record_opaque(sh.cause.line, shown, sh.identity.uid, tuple(paths))
    return 0


def _name(words: list[str]) -> str:
    return posixpath.basename(words[0]) if words and not is_unknown(words[0]) else ""


def written_paths(sh: ShellContext, words: list[str], archive: bool) -> list[str]:
    """Where a command that only installs or fetches files may write: its path arguments, or for a system package
    manager the FHS trees (of the root an option names, if any; fewer from the Debian archive, `archive`)."""
    if _name(words) not in SYSTEM_PACKAGE_MANAGERS:
        return _arg_paths(sh, words)
    roots: list[str] = []
    for i, w in enumerate(words[1:], 1):
        for opt in _ROOT_OPTIONS:
            if w.startswith(opt + "="):
                roots.append(w[len(opt) + 1 :])
            elif w == opt and i + 1 < len(words):
                roots.append(words[i + 1])
    if roots:
        return _arg_paths(sh, ["", *roots])
    return list(DEBIAN_ARCHIVE_TREES if archive else FHS_TREES)


def from_debian_archive(sh: ShellContext, words: list[str]) -> bool:
    """Whether `words` is apt/dpkg installing only from the Debian archive: the stage's base is known (a profile
    or the distribution's family), nothing in this build may have added a package source, and no argument is a
    package file or a URL."""
    if _name(words) not in DEBIAN_TOOLS or sh.profile is None:
        return False
    if _name(words) == "dpkg" or any("/" in w or w.endswith(".deb") for w in words[1:] if not is_unknown(w)):
        return False  # dpkg installs package files, which come from anywhere
    if any(is_unknown(w) for w in words[1:]):
        return False
    return not any(sh.fs.built_below(d) for d in _DEBIAN_SOURCES)


def _arg_paths(sh: ShellContext, words: list[str]) -> list[str]:
    out = []
    for w in words[1:]:
        value = w.split("=", 1)[1] if w.startswith("-") and "=" in w else w
        if value and not value.startswith("-") and "://" not in value and not is_unknown(value):
            try:
                out.append(posixpath.normpath(sh.path(value)))
            except UnknownPath:
                continue
    return out


def open_world(sh: ShellContext, words: list[str], archive: bool | None = None) -> None:
    """Absence becomes unknown below every directory the command's user could write and below every path among
    its arguments; as root (or an unknown user) everywhere, and the accounts may have grown. A system package
    manager as root writes only below the FHS trees (and adds accounts); `archive`: it installs from the Debian
    archive alone (`from_debian_archive`, worked out here when the caller has not)."""
    fs = sh.fs
    who = sh.identity
    packages = _name(words) in SYSTEM_PACKAGE_MANAGERS
    if archive is None:
        archive = packages and from_debian_archive(sh, words)
    if _name(words) in FILE_TOOLS:
        args = _arg_paths(sh, words)
        shown = shorten(command_text(words))
        if any(below(p, "/etc") or below("/etc", p) for p in args) and (who.is_root or who.uid is None):
            sh.users.taint(f"`{shown}` (line {sh.cause.line}, not modelled) may have changed it")
        for path in args:
            _may_write(sh, path, shown)
        if _name(words) in _BESIDE_ARGS:
            for path in args:
                fs.open_listing(posixpath.dirname(path))
        if _writes_cwd(_name(words), words):
            # curl -O, wget and git clone add the URL's last name to it; an extraction or a patch may write
            # anywhere below it.
            names = _url_names(_name(words), words)
            if names is None:
                fs.mark_open(sh.cwd, with_parent=False)
            for name in names or ():
                _may_write(sh, posixpath.join(sh.cwd, name), shown)
        home = sh.vars.get("HOME")
        if home and not is_unknown(home) and posixpath.isabs(home):
            if _name(words) == "wget":
                _may_write(sh, posixpath.join(home, ".wget-hsts"), shown)
            elif _name(words) == "git" and "config" in words:
                _may_write(sh, posixpath.join(home, ".gitconfig"), shown)
        fs.open_listing("/tmp")
        return
    if who.is_root or who.uid is None:
        if not packages:
            fs.open_all()
        sh.users.open(system_only=archive)
    else:
        for d in list(fs.complete):
            node = fs.get(d)
            if node is None or permits(node, who, "wx") is not Tri.NO:
                fs.open_listing(d)
    if not packages:
        for path in _arg_paths(sh, words):
            fs.mark_open(path)
        return
    # The archive's only files in /etc/skel are shells' dotfiles (measured): a home useradd makes afterwards may
    # get them, and nothing else.
    skel_whole = archive and fs.listing_complete("/etc/skel")
    for tree in written_paths(sh, words, archive):
        # A package may add a top-level tree the image lacks (/lib32): it may now be there, with metadata not
        # known, but nothing else appears in `/` (its listing stays whole).
        if fs.get(tree) is None and fs.get(posixpath.dirname(tree)) is not None and tree.count("/") == 1:
            fs.put(tree, Node(Kind.DIR, None, None, None, Knowledge.UNKNOWN), sh.cause, Action.CREATED,
                   f"may be created by `{shorten(command_text(words))}` (not modelled)")  # fmt: skip
        fs.mark_open(tree, with_parent=False)
    if skel_whole:
        for name in DEBIAN_SKEL_FILES:
            if fs.get(f"/etc/skel/{name}") is None:
                fs.put(f"/etc/skel/{name}", Node(Kind.FILE, None, None, None, Knowledge.UNKNOWN), sh.cause,
                       Action.CREATED, f"may be installed by `{shorten(command_text(words))}` (not modelled)")  # fmt: skip
        fs.complete.add("/etc/skel")
