# line breaks that are not Dockerfile line breaks: a form feed , a line separator  , NEL 
FROM python:3.12-slim
# a comment with a paragraph separator   and a vertical tab  in it
ENV NOTE="a b"
RUN echo one \
    two three
WORKDIR /app
