# escape=`
FROM mcr.microsoft.com/windows/servercore AS win
RUN echo a `
    b `
    c
COPY C:\src\ C:\dst\
WORKDIR C:\app
