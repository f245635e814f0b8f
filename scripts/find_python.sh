#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter for the virtual environment (Rasa 3.6 needs 3.8-3.10).
# Looks at $PYTHON, then python3.10 on PATH, then pyenv's installed versions.
set -u
is_supported() {
  "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null
}
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for dir in "$root"/versions/3.10.*; do [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python"); done
fi
for candidate in "${candidates[@]}"; do
  if is_supported "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.8-3.10 interpreter found: Rasa Open Source 3.6 does not run on newer Pythons.
Install Python 3.10 (for example `pyenv install 3.10.13`) or point to one with
  make run PYTHON=/path/to/python3.10
MSG
exit 1
