# syntax=docker/dockerfile:1
# escape=\
FROM a AS b
copy --chown=1:0 "a b" 'c' d/
RUN echo a \
# comment

   b
ENV A=1 B="x y"
ENV D e f
ARG X=1 Y
LABEL a=b "c d"=e
RUN <<EOF
echo hi
EOF
RUN <<-EOT cat > /x
	tabbed
	EOT
COPY <<A <<"B" /dst/
a
A
b $x
B
CMD ["python", "-m", "x"]
CMD python -m x
ONBUILD RUN echo on
VOLUME ["/a", "/b"]
VOLUME /c /d
RUN --mount=type=cache,target=/root/.cache pip install x
HEALTHCHECK --interval=5s CMD curl x
EXPOSE 80/tcp
USER 1001:0
WORKDIR /app
