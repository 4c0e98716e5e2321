code = "print('Printing from Python!')"
print("Going to eval the following Python code: ", code)
exec(code)
print("Python code executed successfully!")
