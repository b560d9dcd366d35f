namespace Tandem.Testing.Samples;

/// <summary>
/// Bug 2, a lost update across an await: <see cref="DepositAsync"/> reads the balance, awaits (an audit write), and
/// writes back what it read plus the amount — a deposit that ran in between is overwritten.
/// </summary>
public sealed class Account
{
    /// <summary>The balance.</summary>
    public int Balance { get; private set; }

    /// <summary>Adds <paramref name="amount"/>, with an audit record written in between.</summary>
    public async TandemTask DepositAsync(int amount)
    {
        int balance = Balance;
        await Audit(amount);        // the other depositor may run here …
        Balance = balance + amount; // … and its deposit is lost
    }

    /// <summary>The fix: no await between the read and the write (the audit goes after the update).</summary>
    public async TandemTask DepositFixedAsync(int amount)
    {
        Balance += amount;
        await Audit(amount);
    }

    private static async TandemTask Audit(int amount)
    {
        _ = amount;
        await Async.Yield();
    }
}

/// <summary>The test of bug 2: two tellers, each depositing once a tick, one doing some other work first.</summary>
public static class AccountScenario
{
    /// <summary>Runs the scenario with the buggy deposit (<paramref name="fixedDeposit"/> false) or the fixed one.</summary>
    public static async TandemTask Run(Simulation sim, bool fixedDeposit)
    {
        var account = new Account();
        async TandemTask Teller(int otherWork)
        {
            for (int tick = 0; tick < 3; tick++)
            {
                await Async.Delay(TimeSpan.FromMilliseconds(10));
                for (int i = 0; i < otherWork; i++) await Async.Yield(); // reconciling, logging…
                await (fixedDeposit ? account.DepositFixedAsync(1) : account.DepositAsync(1));
            }
        }
        var a = sim.Runtime.Spawn(() => Teller(0));
        var b = sim.Runtime.Spawn(() => Teller(3));
        await a;
        await b;
        if (account.Balance != 6) throw new InvalidOperationException($"6 deposits of 1, but the balance is {account.Balance}: an update was lost");
    }
}
