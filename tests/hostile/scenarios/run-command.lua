-- hostile: run a command with os.execute
-- expect: 3: attempt to index a nil value (global 'os')
os.execute("touch /tmp/mxsim-hostile-pwned")
return {}
