# syntax=docker/dockerfile:1
FROM alpine
RUN <<EOF
set -e
adduser -D app
EOF
RUN python3 <<'PY'
print("hi $HOME")
PY
RUN <<A <<B
echo a
A
echo b
B
COPY <<-EOT /etc/app.conf
	key=value
	EOT
COPY --chmod=0644 <<EOF /etc/motd
hello
EOF
RUN --mount=type=cache,target=/root/.cache,uid=1000 --network=none cat <<EOF > /tmp/x
content
EOF
ONBUILD COPY . /app
ONBUILD RUN echo built
