import six
print("ok")
