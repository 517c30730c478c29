import os

with open(os.path.join(os.environ["HOME"], "state.txt"), "w") as f:
    f.write("ok")
print("ok")
